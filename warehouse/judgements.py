"""Reviewable, reversible decisions that two entity rows are (not) one real-world entity.

A merge never deletes: the merged row points at the row it joined (`merged_into`),
and every decision is kept in `entity_judgements` with its reason, score and author.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from schemas.errors import JudgementError  # the decision cannot be made; the message says why


def _entity(con: duckdb.DuckDBPyConnection, entity_id: int) -> tuple:
    row = con.execute("SELECT entity_id, kind, name, merged_into FROM entities WHERE entity_id = ?", [entity_id]).fetchone()
    if row is None:
        raise JudgementError(f"no entity {entity_id}: find ids with `newsflow entities show NAME`")
    return row


def merge(con: duckdb.DuckDBPyConnection, entity_id: int, into: int, reason: str, by: str, score: float | None = None) -> None:
    """Record that `entity_id` is the same as `into`; queries then count both as `into`."""
    if entity_id == into:
        raise JudgementError(f"cannot merge entity {entity_id} into itself: give two different entity ids (see `newsflow entities show NAME`)")
    e, target = _entity(con, entity_id), _entity(con, into)
    if e[1] != target[1]:
        raise JudgementError(f"cannot merge {entity_id} ({e[1]}) into {into} ({target[1]}): merges never cross kinds")
    root = target[3] or into  # join the row `into` itself joined, so chains stay one step deep
    if root == entity_id:
        raise JudgementError(f"{into} is already merged into {entity_id}")
    con.execute("UPDATE entities SET merged_into = ? WHERE entity_id = ? OR merged_into = ?", [root, entity_id, entity_id])
    _judge(con, entity_id, root, True, reason, score, by)


def split(con: duckdb.DuckDBPyConnection, entity_id: int, reason: str, by: str) -> int:
    """Undo the merge of `entity_id`; returns the row it had been merged into."""
    e = _entity(con, entity_id)
    if e[3] is None:
        raise JudgementError(f"entity {entity_id} ({e[2]}) is not merged into another")
    con.execute("UPDATE entities SET merged_into = NULL WHERE entity_id = ?", [entity_id])
    _judge(con, entity_id, e[3], False, reason, None, by)
    return e[3]


def _judge(con, entity_id: int, other_id: int, same: bool, reason: str, score: float | None, by: str) -> None:
    con.execute(
        "INSERT INTO entity_judgements (entity_id, other_id, same, reason, score, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [entity_id, other_id, same, reason, score, by, dt.datetime.now(dt.UTC)],
    )


def show(con: duckdb.DuckDBPyConnection, term: str) -> list[dict]:
    """Entities whose id or any alias matches `term` (case-insensitive substring), with their evidence."""
    ids = [r[0] for r in con.execute(
        "SELECT DISTINCT e.entity_id FROM entities e LEFT JOIN entity_aliases a USING (entity_id) "
        "WHERE CAST(e.entity_id AS VARCHAR) = ? OR a.alias ILIKE '%' || ? || '%' OR e.name ILIKE '%' || ? || '%' ORDER BY 1 LIMIT 50",
        [term, term, term],
    ).fetchall()]
    out = []
    for entity_id in ids:
        _, kind, name, merged_into = _entity(con, entity_id)
        out.append({
            "entity_id": entity_id, "kind": kind, "name": name, "merged_into": merged_into,
            "aliases": [f"{a} ({k})" for a, k in con.execute(
                "SELECT alias, kind FROM entity_aliases WHERE entity_id = ? ORDER BY alias", [entity_id]).fetchall()],
            "merged_here": [r[0] for r in con.execute("SELECT entity_id FROM entities WHERE merged_into = ? ORDER BY 1", [entity_id]).fetchall()],
            "articles": con.execute("SELECT count(DISTINCT url) FROM mentions WHERE entity_id = ?", [entity_id]).fetchone()[0],
            "judgements": [
                f"{'same as' if same else 'not'} {other} by {who}: {reason}" + (f" (score {score:.2f})" if score is not None else "")
                for other, same, who, reason, score in con.execute(
                    "SELECT other_id, same, decided_by, reason, score FROM entity_judgements WHERE entity_id = ? OR other_id = ? "
                    "ORDER BY judgement_id",
                    [entity_id, entity_id],
                ).fetchall()
            ],
        })
    return out
