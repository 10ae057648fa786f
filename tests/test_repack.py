"""The small row groups loads leave at a table's end are merged into one (`warehouse.repack`): by the loads
every few loads, and by the upkeep after a run; no row changes."""

import duckdb
import pytest

from warehouse import maintenance, repack
from warehouse.db import connect, snapshot_path


def loads(db, n: int, rows: int = 5, first: int = 0) -> None:
    """`n` loads as flows make them (a transaction, then the file closed: a checkpoint), each adding `rows` entities."""
    for k in range(n):
        with connect(db) as con:
            start = first + k * rows
            con.execute("INSERT INTO entities (entity_id, kind, key, name, first_seen_at) "
                        "SELECT i, 'person', 'p' || i, 'P ' || i, now() FROM range(?, ?) t(i)", [start, start + rows])


def row_groups(db, table: str = "entities") -> int:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info(?)", [table]).fetchone()[0]


def rows(db, table: str = "entities") -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def test_a_tables_small_tail_becomes_one_row_group_with_every_row_and_key_as_they_were(db_path):
    loads(db_path, repack.TAIL_GROUPS)
    with connect(db_path) as con:
        con.execute("DELETE FROM entities WHERE entity_id % 7 = 0")  # rows deleted in the tail are not written again
    before = rows(db_path)
    assert row_groups(db_path) == repack.TAIL_GROUPS
    with connect(db_path) as con:
        assert repack.tails(con) == {"entities": len(before)}
    assert row_groups(db_path) == 1
    assert rows(db_path) == before
    with connect(db_path) as con:
        with pytest.raises(duckdb.ConstraintException):
            con.execute("INSERT INTO entities (entity_id, kind, name, first_seen_at) VALUES (1, 'person', 'again', now())")
        con.execute("INSERT INTO entities (entity_id, kind, name, first_seen_at) VALUES (7, 'person', 'deleted before', now())")
        assert repack.tails(con) == {}


def test_a_short_tail_full_row_groups_before_it_and_raw_pages_are_left_as_loaded(db_path):
    loads(db_path, 1, rows=repack.SMALL_ROWS, first=10**6)  # a row group that is not small ends any tail
    loads(db_path, repack.TAIL_GROUPS - 1)
    for _ in range(repack.TAIL_GROUPS):
        with connect(db_path) as con:
            con.execute("INSERT INTO raw_documents SELECT uuid()::VARCHAR, 'http://a.test/' || i, NULL, 200, 'text/html', '{}', now(), "
                        "10, encode('x'), 'zstd' FROM range(3) t(i)")
    with connect(db_path) as con:
        assert repack.tails(con) == {}
    loads(db_path, 1, first=10**5)
    before = rows(db_path)
    with connect(db_path) as con:
        assert repack.tails(con) == {"entities": repack.TAIL_GROUPS * 5}
    assert row_groups(db_path) == 2 and rows(db_path) == before
    assert row_groups(db_path, "raw_documents") == repack.TAIL_GROUPS


def test_loads_merge_the_tails_once_every_few_loads_of_a_process(db_path, monkeypatch):
    monkeypatch.setattr(repack, "_loads", {})
    loads(db_path, repack.TAIL_GROUPS)
    merged = []
    for _ in range(repack.REPACK_EVERY):
        with connect(db_path) as con:
            merged.append(repack.after_load(con, db_path))
    assert merged[:-1] == [{}] * (repack.REPACK_EVERY - 1) and merged[-1] == {"entities": repack.TAIL_GROUPS * 5}
    assert row_groups(db_path) == 1


def test_the_upkeep_after_a_run_merges_the_tails_says_so_and_publishes_them(db_path):
    loads(db_path, repack.TAIL_GROUPS)
    line = maintenance.one_pass(db_path)
    assert "; small row groups merged in " in line and f": entities ({repack.TAIL_GROUPS * 5} rows)" in line, line
    assert row_groups(db_path) == 1
    assert rows(snapshot_path(db_path)) == rows(db_path)
    assert "merged" not in maintenance.one_pass(db_path)


def test_later_merges_write_their_own_tail_again_not_the_merged_rows_before_it(db_path):
    """A row group whose rows were all deleted is dropped, and its row ids are not used again: the tail is found from
    the table's end. Counted from its start, the second merge here took in the first one's 3,200 rows too."""
    loads(db_path, repack.TAIL_GROUPS, rows=200)
    with connect(db_path) as con:
        assert repack.tails(con) == {"entities": repack.TAIL_GROUPS * 200}
    for round_ in (1, 2):
        loads(db_path, repack.TAIL_GROUPS, rows=200, first=round_ * 10**5)
        before = rows(db_path)
        with connect(db_path) as con:
            assert repack.tails(con) == {"entities": repack.TAIL_GROUPS * 200}
        assert rows(db_path) == before and row_groups(db_path) == 1 + round_


def test_a_merge_is_left_for_later_when_its_tail_is_too_long_a_stop_is_asked_or_it_fails(db_path, monkeypatch):
    loads(db_path, repack.TAIL_GROUPS)
    with connect(db_path) as con:
        assert repack.tails(con, max_rows=repack.TAIL_GROUPS * 5 - 1) == {}
        assert repack.tails(con, stop=lambda: True) == {}
    monkeypatch.setattr(repack, "_loads", {})

    def fails(*args):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")

    monkeypatch.setattr(repack, "_tail_start", fails)
    for _ in range(repack.REPACK_EVERY):  # the loads go on: the upkeep merges after the run, and says why it could not
        with connect(db_path) as con:
            assert repack.after_load(con, db_path) == {}
    line = maintenance.one_pass(db_path)
    assert "snapshot published in" in line and "; small row groups not merged: DuckDB ran out of memory working on " in line, line
    assert row_groups(db_path) == repack.TAIL_GROUPS
