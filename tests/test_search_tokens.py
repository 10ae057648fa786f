"""The SQL word rule (`search_tokens`, migrations 007 and 015) and the Python one (`warehouse.search.tokens`) agree.

Every assigned Unicode character (Python's unicodedata), each in a word and alone,
and every text of the fixtures, the sample site and the shared corpus, give the same
words both ways; so do the contextual cases a per-character test cannot see
(combining sequences, final sigma, CJK next to Latin, stop words).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pytest
from conftest import SHARED

from schemas.names import singular
from warehouse.db import migrations
from warehouse.search import stopwords, tokens

ROOT = Path(__file__).resolve().parents[1]
SEARCH_MIGRATION = next(sql for _, name, sql in migrations() if name.endswith("_search_v2.sql"))
# The migrations that define the word macros, in the order they are applied: v2, then the plural rule of the name key.
WORD_MIGRATIONS = [sql for _, name, sql in migrations() if name.endswith(("_search_v2.sql", "_search_singular.sql"))]


def assigned() -> list[str]:
    """Every assigned character from U+0020 to the end of plane 2, surrogates excluded."""
    return [chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) != "Cn"]


def compat_map(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Character -> what it must become before DuckDB's lower() and nfc_normalize() for SQL to match Python's NFKC + lower()."""
    chars = assigned()
    lowered = con.execute("SELECT list_transform($l, lambda c: lower(c))", {"l": chars}).fetchone()[0]
    out = {}
    for c, low in zip(chars, lowered, strict=True):
        k = unicodedata.normalize("NFKC", c)
        if c.lower() != low:
            out[c] = k.lower()
        elif k != unicodedata.normalize("NFC", c):
            out[c] = k
    return out


def compat_sql() -> str:
    """The `search_compat_map` table and `search_compat` macro of migration 007, from this Python's unicodedata (run to regenerate)."""
    m = compat_map(duckdb.connect())
    keys = sorted(m, key=ord)
    spans, start = [], None
    for i, cp in enumerate(map(ord, keys)):
        start = cp if start is None else start
        if i + 1 == len(keys) or ord(keys[i + 1]) != cp + 1:
            spans.append(f"\\x{{{start:X}}}" if start == cp else f"\\x{{{start:X}}}-\\x{{{cp:X}}}")
            start = None
    cls = "".join(spans)
    ks = "[" + ",".join(str(ord(k)) for k in keys) + "]"
    vs = "[" + ",".join("[" + ",".join(str(ord(ch)) for ch in m[k]) + "]" for k in keys) + "]"
    return (
        "CREATE TABLE search_compat_map (ch VARCHAR PRIMARY KEY, folded VARCHAR NOT NULL);\n"
        f"INSERT INTO search_compat_map SELECT chr(k), array_to_string(list_transform(v, lambda x: chr(x)), '') "
        f"FROM (SELECT unnest({ks}) AS k, unnest({vs}) AS v);\n"
        f"CREATE OR REPLACE MACRO search_compat(s) AS CASE WHEN regexp_matches(s, '[{cls}]') THEN (\n"
        "    SELECT string_agg(coalesce(m.folded, x.seg), '' ORDER BY x.i)\n"
        "    FROM (SELECT unnest(segs) AS seg, generate_subscripts(segs, 1) AS i\n"
        f"          FROM (SELECT regexp_extract_all(s, '[{cls}]|[^{cls}]+') AS segs)) x\n"
        "    LEFT JOIN search_compat_map m ON m.ch = x.seg) ELSE s END;"
    )


@pytest.fixture(scope="module")
def sql():
    con = duckdb.connect()
    for sql in WORD_MIGRATIONS:
        con.execute(sql.split("-- == index ==")[0])  # the word macros, without the tables
    return con


def sql_tokens(con, texts: list[str]) -> list[list[str]]:
    rows = con.execute("SELECT i, search_tokens(t) FROM (SELECT unnest($l) AS t, generate_subscripts($l, 1) AS i) ORDER BY i", {"l": texts})
    return [words for _, words in rows.fetchall()]


def test_the_migration_holds_the_compat_map_of_this_unicode_version():
    assert compat_sql() in SEARCH_MIGRATION, (
        f"Python's unicodedata {unicodedata.unidata_version} maps characters differently: "
        "regenerate the search_compat lines of migration 007 with tests/test_search_tokens.py:compat_sql()"
    )


def test_every_assigned_character_gives_the_same_words(sql):
    texts = [f"ab{c}cd {c}" for c in assigned()]
    got = sql_tokens(sql, texts)
    differ = [(f"U+{ord(t[2]):04X}", g, tokens(t)) for t, g in zip(texts, got, strict=True) if g != tokens(t)]
    assert differ == []


def test_texts_and_contexts_give_the_same_words(sql):
    files = [*ROOT.glob("tests/fixtures/**/*.*"), *ROOT.glob("flows/sample/site/**/*.*"), *(SHARED / "corpus" / "seed").glob("*")]
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files if f.is_file()]
    texts += [
        "ΟΔΟΣ οδος Σοφία",  # final sigma, which Python lowers by context
        "e\u0301te\u0301 cafe\u0301 Å",  # combining sequences: NFKC composes them
        "签署了RCEP协定，双方签署合作备忘录。ＲＣＥＰ２０２０年 カタカナ",  # CJK beside Latin, full-width forms
        "U.S.-China deal of 3.5% wait…what ﬁnance ½ ℃ Ⅻ ㈱ İstanbul",  # dots, ellipsis, ligatures, fractions
        "The People’s Government of the Tibet Autonomous Region; AT&T's companies' series",
        "analysis gas ties business crisis campus has its lies Analyses GASES Ñies x\u0301ies",  # the plural rule's edges
        " ".join(sorted(stopwords())),
        "",
    ]
    assert sql_tokens(sql, texts) == [tokens(t) for t in texts]
    assert len(texts) > 60


def test_words_as_a_user_expects_them():
    assert tokens("The memorandum of cooperation") == ["memorandum", "cooperation"]
    assert tokens("Companies signed agreements; People's Government") == ["company", "signed", "agreement", "people", "government"]
    assert tokens("双方签署协议") == ["双方", "方签", "签署", "署协", "协议"]
    assert tokens("ＲＣＥＰ") == tokens("RCEP") == ["rcep"]
    assert tokens("analysis gas ties business") == ["analysis", "gas", "tie", "business"]  # the name key's plural rule


def test_sql_folds_plurals_by_the_name_keys_rule(sql):
    words = ["analysis", "gas", "ties", "business", "companies", "agreements", "campus"]
    assert sql_tokens(sql, [" ".join(words)]) == [[singular(w) for w in words]] == [
        ["analysis", "gas", "tie", "business", "company", "agreement", "campus"]]
