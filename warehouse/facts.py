"""Loading what analysis found (entities, mentions, roles, credits, agreements) so that the
warehouse holds the same facts whatever order or batches the articles arrive in.

What the facts say is decided before they get here (`extractors.records`: credits, collectives,
the entity a party or an organization points at); this module only gives rows their ids, links
rows across articles and groups reports into agreements, and writes in bulk.

Entity rows. An article's entity is stored as the row of its kind and the key of its fullest name
(the longest of its name and the aliases that name it: full name, abbreviation, spelling variant),
with an id derived from that key (`stable_id`). So the row a mention lands in depends on its article
alone, and a mention's key is (article, its order in the article). A collective ("15 central
enterprises") is a group of one article only: its key carries the article's URL.

Across articles, rows that name one real-world entity are linked (`merged_into`, recorded as a
judgement by "newsflow" that a reviewer can split) by two rules that look only at what is stored:
- alias: a row whose key is a form (any alias but a description) of exactly one other row of its
  kind joins that row: "SASAC" alone joins the one commission that goes by "SASAC". A form that
  several rows go by ("Trump", "Party Committee") links nowhere, whichever row came first;
- spelling: a person whose long name is a near-spelling of another's ("Gongga Laisong" /
  "Gonggar Laisong") joins the fullest of them (longest key, then alphabetical).
After each load, every row whose links the load may have changed is linked again from scratch.
A row a person has judged (`newsflow entities merge|split`) is left as they left it.

Agreements. Each article's report of an agreement is kept (`agreement_reports`). Reports with one
type and the same linked parties whose dates chain within SAME_AGREEMENT_DAYS are one agreement;
each of its terms (date, place, amount, ...) comes from the first-published report that states it,
its parties from the first-published report. Every group a load touches is formed again from all
its reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from schemas import Agreement, ArticleFacts, Entity
from schemas.names import name_key
from warehouse.judgements import merge, split
from warehouse.load import insert_rows
from warehouse.read import rows_where

SAME_AGREEMENT_DAYS = 31  # two reports of one signing rarely date it further apart
SPELLING_MIN_SCORE = 0.96  # Jaro-Winkler of two person names
SPELLING_MIN_CHARS = 12  # shorter names ("Zhang Wei" / "Zhang Wen") are too often two people
STRONG_ALIASES = ("name", "abbreviation", "spelling_variant")  # forms that name the whole entity
AUTOMATIC = "newsflow"  # `decided_by` of the links made here


def stable_id(*parts: str) -> int:
    """A positive 63-bit id from text: one row gets one id in every warehouse, whatever the load order."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(), "big") >> 1


def _fuller(a: str, b: str) -> bool:
    """Whether name `a` is preferred to `b`: longer, then alphabetically first."""
    return (-len(a), a) < (-len(b), b)


def _key(url: str, e: Entity, text: str) -> str:
    key = name_key(text)
    return f"{url}#{key}" if e.kind == "collective" and key else key


def _row_form(e: Entity) -> str:
    """The form of an entity that names its row: the fullest of its name and its strong aliases."""
    forms = [t for t in [e.name, *(a.text for a in e.aliases if a.kind in STRONG_ALIASES)] if name_key(t)]
    return min(forms, key=lambda t: (-len(name_key(t)), name_key(t), t)) if forms else e.name


@dataclass
class _Rows:
    """The entity rows, aliases and per-article ids that a batch of articles makes."""

    rows: dict[int, dict]
    aliases: dict[tuple[int, str], dict]
    ids: list[list[int]]  # per article, per entity


def _entity_rows(items: list[ArticleFacts]) -> _Rows:
    out = _Rows({}, {}, [])
    for s in items:
        ids = []
        for e in s.entities:
            form = _row_form(e)
            key = _key(s.url, e, form) or f"{s.url}#{e.name}"
            i = stable_id(e.kind, key)
            ids.append(i)
            if i not in out.rows or _fuller(form, out.rows[i]["name"]):
                out.rows[i] = {"entity_id": i, "kind": e.kind, "key": key, "name": form, "org_kind": e.org_kind}
            for text, kind in [(e.name, "name"), *((a.text, a.kind) for a in e.aliases)]:
                k = _key(s.url, e, text)
                if not k:
                    continue
                seen = out.aliases.get((i, k))
                out.aliases[(i, k)] = {"entity_id": i, "alias": min(seen["alias"], text) if seen else text, "alias_key": k,
                                       "kind": min(seen["kind"], kind) if seen else kind}
        out.ids.append(ids)
    return out


def _save_entities(con: duckdb.DuckDBPyConnection, made: _Rows, now: dt.datetime) -> set[int]:
    """Upsert rows (the fullest name wins) and aliases (order-free: the least spelling of a key); returns the new row ids."""
    existing = {i for (i,) in con.execute(
        "SELECT entity_id FROM entities WHERE entity_id IN (SELECT unnest(?))", [list(made.rows)]).fetchall()}
    fuller = ("length(excluded.name) > length(entities.name) OR "
              "(length(excluded.name) = length(entities.name) AND excluded.name < entities.name)")
    insert_rows(con, "entities", [{**r, "first_seen_at": now} for r in made.rows.values()], ["entity_id"],
                f"ON CONFLICT (entity_id) DO UPDATE SET key = excluded.key, "
                f"name = CASE WHEN {fuller} THEN excluded.name ELSE entities.name END, "
                f"org_kind = CASE WHEN {fuller} THEN excluded.org_kind ELSE entities.org_kind END")
    insert_rows(con, "entity_aliases", list(made.aliases.values()), ["entity_id", "alias_key"],
                "ON CONFLICT (entity_id, alias_key) DO UPDATE SET alias = least(entity_aliases.alias, excluded.alias), "
                "kind = least(entity_aliases.kind, excluded.kind)")
    return set(made.rows) - existing


def save_facts(
    con: duckdb.DuckDBPyConnection, run_id: str, items: Iterable[ArticleFacts], now: dt.datetime, removed: Iterable[str] = ()
) -> None:
    """Replace the facts of these articles with what this run's analysis found and record on each
    article the extractor version that made them and its warnings after analysis; drop the facts of
    the `removed` articles (deleted, or whose text changed: they await analysis again). Then link and
    group again everything the change touches. Runs inside the caller's transaction."""
    items = list(items)
    removed = list(removed)
    if not items and not removed:
        return
    urls = _with_facts(con, [s.url for s in items] + removed)
    before: set[int] = set()
    old_groups: set[str] = set()
    if urls.num_rows:
        before = {i for (i,) in con.execute(
            "SELECT entity_id FROM mentions WHERE url IN (SELECT url FROM urls) "
            "UNION SELECT person_id FROM roles WHERE url IN (SELECT url FROM urls) "
            "UNION SELECT organization_id FROM roles WHERE url IN (SELECT url FROM urls) AND organization_id IS NOT NULL "
            "UNION SELECT entity_id FROM article_credits WHERE url IN (SELECT url FROM urls) "
            "UNION SELECT unnest(party_ids) FROM agreement_reports WHERE url IN (SELECT url FROM urls)").fetchall()}
        old_groups = {k for (k,) in con.execute("SELECT DISTINCT dedup_key FROM agreement_reports WHERE url IN (SELECT url FROM urls)").fetchall()}
        for table in ("mentions", "roles", "article_credits", "agreement_mentions", "agreement_reports"):
            con.execute(f"DELETE FROM {table} WHERE url IN (SELECT url FROM urls)")
    made = _entity_rows(items)
    new = _save_entities(con, made, now)
    reports = _save_article_facts(con, run_id, items, made.ids)
    gone_keys = _drop_orphans(con, before - set(made.rows))
    relinked = _relink(con, set(made.rows), new, {k for _, k in made.aliases} | gone_keys)
    _group_agreements(con, run_id, reports, old_groups, relinked, now)
    _mark_analysed(con, items, removed, now)


def _with_facts(con: duckdb.DuckDBPyConnection, urls: list[str]) -> pa.Table:
    """Those of `urls` that may have facts stored: all but the stored articles not analysed (`analysis_version` NULL,
    which `_mark_analysed` sets when it drops an article's facts). A URL whose article is gone counts as having facts.
    Reading and deleting the old facts scans the fact tables, which grow with the warehouse: a first analysis skips it."""
    asked = pa.table({"url": urls})  # noqa: F841 (read by DuckDB by name)
    kept = con.execute("SELECT url FROM asked ANTI JOIN (SELECT url FROM articles WHERE analysis_version IS NULL) USING (url)").fetchall()
    return pa.table({"url": pa.array([u for (u,) in kept], pa.string())})


def _mark_analysed(con: duckdb.DuckDBPyConnection, items: list[ArticleFacts], removed: list[str], now: dt.datetime) -> None:
    """On each article: the extractor version its facts came from (NULL for `removed`: not analysed) and its warnings."""
    urls = [s.url for s in items] + removed
    marks = pa.table({  # noqa: F841 (read by DuckDB by name)
        "url": urls,
        "version": [s.extractor_version for s in items] + [None] * len(removed),
        "warnings": [s.warnings for s in items] + [None] * len(removed),
        "analysed": [True] * len(items) + [False] * len(removed),
    }, schema=pa.schema([("url", pa.string()), ("version", pa.string()), ("warnings", pa.list_(pa.string())), ("analysed", pa.bool_())]))
    rows = rows_where(con, "articles", "url", urls)
    con.execute("UPDATE articles SET analysis_version = m.version, analyzed_at = CASE WHEN m.analysed THEN ? END "
                f"FROM marks m WHERE articles.url = m.url AND {rows}", [now])
    # Only the warnings that analysis changed: DuckDB updates a list column by rewriting the row, which
    # took 1.95 s and 68 MiB for 200 articles among 18,000 against 0.02 s and 3 MiB for the other columns.
    con.execute("UPDATE articles SET warnings = m.warnings FROM marks m WHERE articles.url = m.url AND m.analysed "
                f"AND articles.warnings IS DISTINCT FROM m.warnings AND {rows}")


def _save_article_facts(con: duckdb.DuckDBPyConnection, run_id: str, items: list[ArticleFacts], ids: list[list[int]]) -> list[dict]:
    """Mentions, roles and credits of each article, numbered within the article; returns its agreement reports (not yet grouped)."""
    mentions, roles, credits, reports, evidence = [], [], [], [], []
    for s, article_ids in zip(items, ids, strict=True):
        local = {e.id: i for e, i in zip(s.entities, article_ids, strict=True)}
        first_mention = len(mentions)
        for e, entity_id in zip(s.entities, article_ids, strict=True):
            for m in e.mentions:
                mentions.append(
                    {"url": s.url, "seq": len(mentions) - first_mention, "entity_id": entity_id, "surface": m.surface,
                     "block": m.span.block, "block_index": m.span.index, "start_char": m.span.start, "end_char": m.span.end,
                     "sentence": m.sentence, "role": m.role, "resolved_by": m.resolved_by, "run_id": run_id}
                )
        for r in s.roles:
            ev = r.evidence
            roles.append(
                {"url": s.url, "person_id": local[r.person_id], "title": r.title, "organization": r.organization,
                 "organization_id": local.get(r.organization_id), "observed_on": r.observed_on, "block": ev.block if ev else None,
                 "block_index": ev.index if ev else None, "start_char": ev.start if ev else None, "end_char": ev.end if ev else None}
            )
        credits += [{"url": s.url, "entity_id": local[c.entity_id], "name": c.name, "role": c.role} for c in s.credits]
        n = 0
        for seq, a in enumerate(s.agreements):
            party_ids = [local.get(p.entity_id) for p in a.parties]
            reports.append(_report(run_id, s.url, seq, a, party_ids))
            for ev in a.evidence:
                evidence.append({"agreement_id": 0, "url": s.url, "seq": n, "report": seq, "text": ev.text, "block": ev.span.block,
                                 "block_index": ev.span.index, "start_char": ev.span.start, "end_char": ev.span.end, "dedup_key": "",
                                 "run_id": run_id})
                n += 1
    insert_rows(con, "mentions", mentions, ["url", "seq"])
    insert_rows(con, "roles", roles, ["url", "person_id", "title"])
    insert_rows(con, "article_credits", credits, ["url", "entity_id", "role"])
    insert_rows(con, "agreement_mentions", evidence, ["url", "agreement_id", "seq"])
    return reports


def _report(run_id: str, url: str, seq: int, a: Agreement, party_ids: list[int | None]) -> dict:
    parties = [{"entity_id": i, "name": p.name, "kind": p.kind, "count": p.count, "with_affiliates": p.with_affiliates, "role": p.role}
               for p, i in zip(a.parties, party_ids, strict=True)]
    return {"url": url, "seq": seq, "agreement_id": 0, "type": a.type, "status": a.status, "signed_on": a.date, "place": a.place,
            "period": a.period, "amount_value": a.amount.value if a.amount else None, "amount_currency": a.amount.currency if a.amount else None,
            "subject": a.subject, "parties": json.dumps(parties), "party_ids": [i for i in party_ids if i is not None], "dedup_key": "",
            "run_id": run_id}


def _drop_orphans(con: duckdb.DuckDBPyConnection, candidates: set[int]) -> set[str]:
    """Delete rows that no article names any more (and no person judged); returns their alias keys.
    Rows linked into them are unlinked, to be linked again."""
    if not candidates:
        return set()
    gone = [i for (i,) in con.execute(
        """
        SELECT c.id FROM (SELECT unnest(?) AS id) c
        WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.person_id = c.id OR r.organization_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM article_credits a WHERE a.entity_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM agreement_reports g WHERE list_contains(g.party_ids, c.id))
          AND NOT EXISTS (SELECT 1 FROM agreement_parties p WHERE p.entity_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM entity_judgements j WHERE (j.entity_id = c.id OR j.other_id = c.id) AND j.decided_by <> ?)
        """,
        [list(candidates), AUTOMATIC],
    ).fetchall()]
    if not gone:
        return set()
    keys = {k for (k,) in con.execute("SELECT alias_key FROM entity_aliases WHERE entity_id IN (SELECT unnest(?))", [gone]).fetchall()}
    con.execute("UPDATE entities SET merged_into = NULL WHERE merged_into IN (SELECT unnest(?))", [gone])
    con.execute("DELETE FROM entity_aliases WHERE entity_id IN (SELECT unnest(?))", [gone])
    con.execute("DELETE FROM entities WHERE entity_id IN (SELECT unnest(?))", [gone])
    return keys


# Near-spellings among persons: pairs of person rows whose keys have as many words, share one, are both at least
# $min_chars long and score at least $min_score (Jaro-Winkler); the new rows are $ids. The join on a shared word
# ("blocking") compares a new name only with the names that share a word with it, not with every person stored.
_SPELLING = """
    WITH persons AS (
        SELECT entity_id, key, string_split(key, ' ') AS words FROM entities
        WHERE kind = 'person' AND key IS NOT NULL AND length(key) >= $min_chars
    ),
    new AS (SELECT entity_id, key, words, unnest(list_distinct(words)) AS word FROM persons WHERE entity_id IN (SELECT unnest($ids))),
    old AS (SELECT entity_id, key, words, unnest(list_distinct(words)) AS word FROM persons)
    SELECT DISTINCT n.entity_id, o.entity_id, jaro_winkler_similarity(n.key, o.key) AS score
    FROM new n JOIN old o USING (word)
    WHERE o.entity_id <> n.entity_id AND len(n.words) = len(o.words) AND jaro_winkler_similarity(n.key, o.key) >= $min_score
"""


def _spelling_args(ids: set[int]) -> dict:
    return {"ids": sorted(ids), "min_chars": SPELLING_MIN_CHARS, "min_score": SPELLING_MIN_SCORE}


def _relink(con: duckdb.DuckDBPyConnection, rows: set[int], new: set[int], keys: set[str]) -> set[int]:
    """Link again every row whose links the load may have changed: the batch's rows, rows named by
    a form the load added or removed, near-spellings of new persons, and rows linked into any of
    these. Returns the rows whose root (the row they count as) changed."""
    touched = set(rows)
    if keys:
        touched |= {i for (i,) in con.execute("SELECT entity_id FROM entities WHERE key IN (SELECT unnest(?))", [sorted(keys)]).fetchall()}
    near = {i for n_id, o_id, _ in con.execute(_SPELLING, _spelling_args(new)).fetchall()
            for i in (n_id, o_id)}
    touched |= near
    touched |= _linked_into(con, touched)
    spelling: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for a, b, score in con.execute(_SPELLING, _spelling_args(near)).fetchall():
        spelling[a].append((score, b))
    aliased: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a, b, alias in con.execute(
        """
        SELECT a.entity_id, b.entity_id, min(al.alias)
        FROM entities a JOIN entity_aliases al ON al.alias_key = a.key AND al.kind <> 'description'
        JOIN entities b ON b.entity_id = al.entity_id AND b.kind = a.kind AND b.key <> a.key
        WHERE a.entity_id IN (SELECT unnest(?)) AND a.kind <> 'collective'
        GROUP BY ALL
        """,
        [sorted(touched)],
    ).fetchall():
        aliased[a].append((b, alias))
    frozen = {i for (i,) in con.execute(
        "SELECT DISTINCT entity_id FROM entity_judgements WHERE decided_by <> ? AND entity_id IN (SELECT unnest(?))",
        [AUTOMATIC, sorted(touched)]).fetchall()}
    involved = touched | {b for v in aliased.values() for b, _ in v} | {b for v in spelling.values() for _, b in v}
    keys_of, merged = {}, {}
    for i, key, into in con.execute(
        "SELECT entity_id, key, merged_into FROM entities WHERE entity_id IN (SELECT unnest(?))", [sorted(involved)]
    ).fetchall():
        keys_of[i], merged[i] = key, into
    changed = set()
    for a in sorted(touched - frozen):
        if a not in keys_of:
            continue
        target, reason, score = _target(a, keys_of, aliased.get(a, []), spelling.get(a, []))
        root = (merged.get(target) or target) if target is not None else None
        if root == a or merged.get(a) == root:
            continue
        if merged.get(a) is not None:
            split(con, a, "the rule that linked it no longer holds", AUTOMATIC)
        if root is not None:
            merge(con, a, root, reason, AUTOMATIC, score)
            merged.update({c: root for c, into in merged.items() if into == a})
        merged[a] = root
        changed.add(a)
    return changed | _linked_into(con, changed)


def _linked_into(con: duckdb.DuckDBPyConnection, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return {i for (i,) in con.execute("SELECT entity_id FROM entities WHERE merged_into IN (SELECT unnest(?))", [sorted(ids)]).fetchall()}


def _target(
    a: int, keys: dict[int, str], aliased: list[tuple[int, str]], spelling: list[tuple[float, int]]
) -> tuple[int | None, str, float | None]:
    """The row `a` should join, why, and the score: the one other row its name is a form of, else its best
    near-spelling that is fuller than it. A name that is a form of several rows joins none."""
    if len(aliased) == 1:
        b, alias = aliased[0]
        return b, f"'{alias}' names only this entity", None
    if aliased:
        return None, "", None
    better = [(score, b) for score, b in spelling if keys.get(b) and _fuller(keys[b], keys[a])]
    if not better:
        return None, "", None
    score, b = min(better, key=lambda sb: (-sb[0], -len(keys[sb[1]]), keys[sb[1]]))
    return b, "spelling variant of a person named in another article", score


def _dedup_key(report: dict, roots: dict[int, int]) -> str:
    """Type and parties: entities by their linked row, collectives (one article's groups) by count and description."""
    parties = json.loads(report["parties"])
    parts = [f"{p['count']}:{name_key(p['name'])}" if p["kind"] == "collective" else str(roots.get(p["entity_id"], p["entity_id"]))
             for p in parties if p["entity_id"] is not None]
    if not parts:  # no party is a known entity: a group of its own
        return f"{report['type']}|#{report['url']}#{report['seq']}"
    return f"{report['type']}|{','.join(sorted(parts))}"


def _near(d1: str | None, d2: str | None) -> bool:
    if not d1 or not d2:
        return True
    if len(d1) < 10 or len(d2) < 10:
        return d1[: min(len(d1), len(d2))] == d2[: min(len(d1), len(d2))]
    return abs((dt.date.fromisoformat(d1) - dt.date.fromisoformat(d2)).days) <= SAME_AGREEMENT_DAYS


def _clusters(reports: list[dict]) -> list[list[dict]]:
    """Reports of one group key as agreements: dated reports in date order, chained while each is near the
    one before; undated reports join the earliest agreement."""
    dated = sorted((r for r in reports if r["signed_on"]), key=lambda r: (r["signed_on"], r["url"], r["seq"]))
    out: list[list[dict]] = []
    for r in dated:
        if out and _near(out[-1][-1]["signed_on"], r["signed_on"]):
            out[-1].append(r)
        else:
            out.append([r])
    undated = [r for r in reports if not r["signed_on"]]
    if undated:
        if out:
            out[0] += undated
        else:
            out.append(undated)
    return out


_TERMS = ["type", "status", "signed_on", "place", "period", "amount_value", "amount_currency", "subject"]
_REPORT_COLUMNS = ["url", "seq", "type", "status", "signed_on", "place", "period", "amount_value", "amount_currency", "subject",
                   "parties", "party_ids", "dedup_key", "run_id"]


def _group_agreements(
    con: duckdb.DuckDBPyConnection, run_id: str, reports: list[dict], old_groups: set[str], relinked: set[int], now: dt.datetime
) -> None:
    """Store the batch's reports and form again every agreement group they join or leave, or whose parties were relinked."""
    stale = [dict(zip(_REPORT_COLUMNS, r, strict=True)) for r in con.execute(
        f"SELECT {', '.join(_REPORT_COLUMNS)} FROM agreement_reports WHERE list_has_any(party_ids, ?)", [sorted(relinked)]).fetchall()
    ] if relinked else []
    party_ids = {i for r in reports + stale for i in r["party_ids"]}
    roots = dict(con.execute("SELECT entity_id, coalesce(merged_into, entity_id) FROM entities WHERE entity_id IN (SELECT unnest(?))",
                             [sorted(party_ids)]).fetchall())
    groups = set(old_groups) | {r["dedup_key"] for r in stale}
    for r in reports + stale:
        r["dedup_key"] = _dedup_key(r, roots)
        groups.add(r["dedup_key"])
    if stale:
        rekeyed = pa.table({"url": [r["url"] for r in stale], "seq": [r["seq"] for r in stale],  # noqa: F841
                            "dedup_key": [r["dedup_key"] for r in stale]})
        con.execute("UPDATE agreement_reports SET dedup_key = k.dedup_key FROM rekeyed k WHERE agreement_reports.url = k.url "
                    "AND agreement_reports.seq = k.seq")
    insert_rows(con, "agreement_reports", reports, ["url", "seq"])
    if not groups:
        return
    members = defaultdict(list)
    for row in con.execute(
        f"SELECT {', '.join('g.' + c for c in _REPORT_COLUMNS)}, a.published_at, g.agreement_id FROM agreement_reports g "
        "LEFT JOIN articles a USING (url) WHERE g.dedup_key IN (SELECT unnest(?))", [sorted(groups)]
    ).fetchall():
        r = dict(zip([*_REPORT_COLUMNS, "published_at", "stored_id"], row, strict=True))
        members[r["dedup_key"]].append(r)
    agreements, parties, ids = [], [], []
    for key, group in members.items():
        for cluster in _clusters(group):
            cluster.sort(key=lambda r: (r["published_at"] is None, r["published_at"] or now, r["url"], r["seq"]))
            first = cluster[0]
            agreement_id = stable_id("agreement", key, first["url"], str(first["seq"]))
            terms = {c: next((r[c] for r in cluster if r[c] is not None), None) for c in _TERMS}
            agreements.append({"agreement_id": agreement_id, **terms, "dedup_key": key, "first_seen_at": now})
            parties += [{"agreement_id": agreement_id, "seq": n, "entity_id": p["entity_id"], "name": p["name"], "kind": p["kind"],
                         "count": p["count"], "with_affiliates": p["with_affiliates"], "role": p["role"]}
                        for n, p in enumerate(json.loads(first["parties"]))]
            # only the reports that move: a group's members keep their agreement as it grows, and rewriting them all
            # made a batch's cost grow with its largest groups. A new report is stored with agreement 0; a re-keyed one
            # keeps its old agreement, which differs because `stable_id` hashes the key in.
            ids += [(r["url"], r["seq"], agreement_id, key) for r in cluster if r["stored_id"] != agreement_id]
    if ids:
        grouped = pa.table({"url": [i[0] for i in ids], "seq": [i[1] for i in ids], "agreement_id": [i[2] for i in ids],  # noqa: F841
                            "dedup_key": [i[3] for i in ids]})
        con.execute("UPDATE agreement_reports SET agreement_id = g.agreement_id FROM grouped g "
                    "WHERE agreement_reports.url = g.url AND agreement_reports.seq = g.seq")
        con.execute("UPDATE agreement_mentions SET agreement_id = g.agreement_id, dedup_key = g.dedup_key FROM grouped g "
                    "WHERE agreement_mentions.url = g.url AND agreement_mentions.report = g.seq")
    # the agreements of the groups formed again replace every earlier agreement of those groups
    formed = pa.table({"dedup_key": sorted(groups)})  # noqa: F841 (read by DuckDB by name)
    kept = pa.table({"agreement_id": [a["agreement_id"] for a in agreements]}, schema=pa.schema([("agreement_id", pa.int64())]))  # noqa: F841
    con.execute("DELETE FROM agreement_parties WHERE agreement_id IN (SELECT agreement_id FROM agreements WHERE dedup_key IN "
                "(SELECT dedup_key FROM formed)) OR agreement_id IN (SELECT agreement_id FROM kept)")
    con.execute("DELETE FROM agreements WHERE dedup_key IN (SELECT dedup_key FROM formed) AND agreement_id NOT IN (SELECT agreement_id FROM kept)")
    if agreements:
        terms = [c for c in agreements[0] if c not in ("agreement_id", "first_seen_at")]
        insert_rows(con, "agreements", agreements, ["agreement_id"],
                    "ON CONFLICT (agreement_id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in terms))
        insert_rows(con, "agreement_parties", parties, ["agreement_id", "seq"])


def digests(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, str]:
    """A fingerprint of each article's facts (mentions and their entity rows, roles, credits, agreements as
    reported and their evidence), to tell which articles' facts a reprocess changed. Articles without facts are absent."""
    return dict(con.execute(
        """
        SELECT url, md5(string_agg(fact, '\n' ORDER BY fact)) FROM (
            SELECT url, concat_ws('|', 'm', seq, entity_id, surface, block, block_index, start_char, end_char, sentence, role, resolved_by) AS fact
            FROM mentions
            UNION ALL SELECT url, concat_ws('|', 'r', person_id, title, organization, organization_id, observed_on, block, block_index,
                                            start_char, end_char) FROM roles
            UNION ALL SELECT url, concat_ws('|', 'c', entity_id, name, role) FROM article_credits
            UNION ALL SELECT url, concat_ws('|', 'a', seq, type, status, signed_on, place, period, amount_value, amount_currency, subject,
                                            parties) FROM agreement_reports
            UNION ALL SELECT url, concat_ws('|', 'e', report, seq, text, block, block_index, start_char, end_char) FROM agreement_mentions
        ) WHERE url IN (SELECT unnest(?)) GROUP BY url
        """,
        [urls],
    ).fetchall())
