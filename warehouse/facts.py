"""Loading what extraction found: entities resolved across articles, mentions, roles, credits, agreements.

An article's rows are replaced whole on every load, so `reprocess` and re-ingest
are idempotent. Entities persist across articles: an article's entity joins the
stored entity that shares a name key with it (same kind), else becomes a new row.
Mentions keep the row they matched, not the row it was merged into, so a split
(`warehouse.judgements`) gives every mention back.
Reports of one agreement in several articles (same type, same resolved parties,
dates within a window) become one agreement with mentions in each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from schemas import Agreement, Entity, StoredArticle
from schemas.names import name_key
from warehouse.judgements import merge
from warehouse.load import insert_rows

CREDIT_ROLES = {"reporter", "photographer", "editor"}
SAME_AGREEMENT_DAYS = 31
SPELLING_MIN_SCORE = 0.96  # Jaro-Winkler of two person names
SPELLING_MIN_CHARS = 12  # two reports of one signing rarely date it further apart


def _key(url: str, e: Entity, text: str) -> str:
    """The matching key of one of an entity's names. A collective ("15 central enterprises")
    is a group of one article only, so its keys carry the article's URL: never merged across articles."""
    key = name_key(text)
    return f"{url}#{key}" if e.kind == "collective" and key else key


def _keys(url: str, e: Entity) -> set[str]:
    return {k for k in (_key(url, e, e.name), *(_key(url, e, a.text) for a in e.aliases)) if k}


def _resolve_entities(con: duckdb.DuckDBPyConnection, items: list[StoredArticle], now: dt.datetime) -> list[list[int]]:
    """Entity ids for every entity of every article, in three bulk statements, whatever the batch size.

    An entity joins the first stored (or earlier-in-batch) entity of its kind that shares
    a name key with it; the rest become new rows. A longer name replaces a stored one.
    """
    wanted = {(e.kind, k) for s in items for e in s.entities for k in _keys(s.url, e)}
    probe = pa.table({"kind": [k for k, _ in wanted], "alias_key": [a for _, a in wanted]})  # noqa: F841
    known: dict[tuple[str, str], int] = {}
    names: dict[int, str] = {}
    for kind, key, entity_id, name in con.execute(
        "SELECT e.kind, a.alias_key, e.entity_id, e.name FROM entity_aliases a JOIN entities e USING (entity_id) "
        "JOIN probe p ON p.kind = e.kind AND p.alias_key = a.alias_key ORDER BY e.entity_id"
    ).fetchall():
        known.setdefault((kind, key), entity_id)
        names[entity_id] = name
    pending: list[Entity] = []  # first entity of each new row, in order
    provisional: list[list[int]] = []  # ids, negative for rows not yet created
    for s in items:
        ids = []
        for e in s.entities:
            keys = sorted(_keys(s.url, e))
            found = next((known[(e.kind, k)] for k in keys if (e.kind, k) in known), None)
            if found is None:
                pending.append(e)
                found = -len(pending)
            for k in keys:
                known.setdefault((e.kind, k), found)
            ids.append(found)
        provisional.append(ids)
    new_ids = [r[0] for r in con.execute("SELECT nextval('entity_seq') FROM range(?)", [len(pending)]).fetchall()]
    real = lambda i: new_ids[-i - 1] if i < 0 else i  # noqa: E731
    insert_rows(con, "entities", [
        {"entity_id": new_ids[n], "kind": e.kind, "name": e.name, "org_kind": e.org_kind, "merged_into": None, "first_seen_at": now}
        for n, e in enumerate(pending)
    ])
    out, aliases, longer = [], [], {}
    for s, ids in zip(items, provisional, strict=True):
        out.append([real(i) for i in ids])
        for e, i in zip(s.entities, out[-1], strict=True):
            aliases += [{"entity_id": i, "alias": t, "alias_key": _key(s.url, e, t), "kind": k}
                        for t, k in [(e.name, "name")] + [(a.text, a.kind) for a in e.aliases] if name_key(t)]
            if i in names and len(e.name) > len(longer.get(i, names[i])):
                longer[i] = e.name  # the fullest form seen wins
    insert_rows(con, "entity_aliases", aliases)
    if longer:
        renamed = pa.table({"entity_id": list(longer), "name": list(longer.values())})  # noqa: F841
        con.execute("UPDATE entities SET name = renamed.name FROM renamed WHERE entities.entity_id = renamed.entity_id")
    _merge_spelling_variants(con, new_ids)
    return out


def _merge_spelling_variants(con: duckdb.DuckDBPyConnection, new_ids: list[int]) -> None:
    """A new person whose name is a near-spelling of a known person's ("Gongga Laisong" / "Gonggar Laisong")
    is merged into it, with the score, as a judgement anyone can review and split.

    Short names are left alone: "Zhang Wei" and "Zhang Wen" are two people, not two spellings.
    """
    if not new_ids:
        return
    pairs = con.execute(
        """
        SELECT n.entity_id, o.entity_id, jaro_winkler_similarity(lower(n.name), lower(o.name)) AS score
        FROM entities n JOIN entities o ON o.kind = n.kind AND o.entity_id < n.entity_id AND o.merged_into IS NULL
        WHERE n.entity_id IN (SELECT unnest(?)) AND n.kind = 'person' AND n.merged_into IS NULL
          AND least(length(n.name), length(o.name)) >= ?
          AND len(string_split(n.name, ' ')) = len(string_split(o.name, ' '))
          AND list_has_any(string_split(lower(n.name), ' '), string_split(lower(o.name), ' '))
          AND jaro_winkler_similarity(lower(n.name), lower(o.name)) >= ?
        QUALIFY row_number() OVER (PARTITION BY n.entity_id ORDER BY score DESC, o.entity_id) = 1
        ORDER BY n.entity_id
        """,
        [new_ids, SPELLING_MIN_CHARS, SPELLING_MIN_SCORE],
    ).fetchall()
    for new, known, score in pairs:
        merge(con, new, known, "spelling variant of a person named in another article", "newsflow", score)


def _with_collectives(s: StoredArticle) -> StoredArticle:
    """A collective party ("15 central enterprises") becomes an entity of kind collective with its count."""
    named = {name_key(e.name) for e in s.entities}
    groups = {name_key(p.name): Entity(kind="collective", name=p.name, count=p.count)
              for a in s.agreements for p in a.parties if p.kind == "collective" and name_key(p.name) not in named}
    return s.model_copy(update={"entities": s.entities + list(groups.values())}) if groups else s


def save_facts(con: duckdb.DuckDBPyConnection, run_id: str, items: Iterable[StoredArticle], now: dt.datetime) -> None:
    """Replace the entity and agreement rows of these articles with what this run found."""
    items = [_with_collectives(s) for s in items]
    if not items:
        return
    urls = pa.table({"url": [s.url for s in items]})  # noqa: F841
    for table in ("mentions", "roles", "article_credits", "agreement_mentions"):
        con.execute(f"DELETE FROM {table} WHERE url IN (SELECT url FROM urls)")
    mentions, roles, credits = [], [], []
    for s, ids in zip(items, _resolve_entities(con, items, now), strict=True):
        by_name = {name_key(e.name): i for e, i in zip(s.entities, ids, strict=True)}
        observed = s.article.published_at.date() if s.article.published_at else None
        for e, entity_id in zip(s.entities, ids, strict=True):
            for m in e.mentions:
                mentions.append(
                    {"url": s.url, "seq": len(mentions), "entity_id": entity_id, "surface": m.surface, "block": m.span.block,
                     "block_index": m.span.index, "start_char": m.span.start, "end_char": m.span.end, "sentence": m.sentence,
                     "role": m.role, "resolved_by": m.resolved_by, "run_id": run_id}
                )
            credit_roles = {e.credit} if e.credit else set()
            for t in e.titles:
                if e.credit and t.title.lower() in CREDIT_ROLES:
                    credit_roles.add(t.title.lower())  # a credit of the article, not a post held
                    continue
                ev = t.evidence
                roles.append(
                    {"url": s.url, "person_id": entity_id, "title": t.title, "organization": t.organization,
                     "organization_id": by_name.get(name_key(t.organization)) if t.organization else None, "observed_on": observed,
                     "block": ev.block if ev else None, "block_index": ev.index if ev else None,
                     "start_char": ev.start if ev else None, "end_char": ev.end if ev else None}
                )
            credits += [{"url": s.url, "entity_id": entity_id, "name": e.name, "role": r} for r in sorted(credit_roles)]
        for a in s.agreements:
            _save_agreement(con, run_id, s.url, a, by_name, now)
    insert_rows(con, "mentions", mentions)
    insert_rows(con, "roles", roles)
    insert_rows(con, "article_credits", credits)
    con.execute(
        "DELETE FROM agreement_parties WHERE agreement_id NOT IN (SELECT agreement_id FROM agreement_mentions)"
    )
    con.execute("DELETE FROM agreements WHERE agreement_id NOT IN (SELECT agreement_id FROM agreement_mentions)")


def _dedup_key(a: Agreement, party_ids: list[int | None]) -> str:
    """Type and parties: entities by id, collectives (one article's groups) by count and description."""
    parts = [f"{p.count}:{name_key(p.name)}" if p.kind == "collective" else str(i)
             for p, i in zip(a.parties, party_ids, strict=True) if i is not None]
    return f"{a.type}|{','.join(sorted(parts))}"


def _near(d1: str | None, d2: str | None) -> bool:
    if not d1 or not d2:
        return True
    if len(d1) < 10 or len(d2) < 10:
        return d1[: min(len(d1), len(d2))] == d2[: min(len(d1), len(d2))]
    return abs((dt.date.fromisoformat(d1) - dt.date.fromisoformat(d2)).days) <= SAME_AGREEMENT_DAYS


def _save_agreement(con: duckdb.DuckDBPyConnection, run_id: str, url: str, a: Agreement, by_name: dict[str, int], now: dt.datetime) -> None:
    party_ids = [by_name.get(name_key(p.name)) for p in a.parties]
    key = _dedup_key(a, party_ids)
    match = None
    if any(i is not None for i in party_ids):
        for agreement_id, signed_on in con.execute(
            "SELECT agreement_id, signed_on FROM agreements WHERE dedup_key = ? ORDER BY agreement_id", [key]
        ).fetchall():
            if _near(signed_on, a.date):
                match = agreement_id
                break
    if match is None:
        match = con.execute(
            "INSERT INTO agreements (type, status, signed_on, place, period, amount_value, amount_currency, subject, dedup_key, first_seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING agreement_id",
            [a.type, a.status, a.date, a.place, a.period, a.amount.value if a.amount else None,
             a.amount.currency if a.amount else None, a.subject, key, now],
        ).fetchone()[0]
        insert_rows(
            con,
            "agreement_parties",
            [
                {"agreement_id": match, "seq": i, "entity_id": pid, "name": p.name, "kind": p.kind, "count": p.count,
                 "with_affiliates": p.with_affiliates, "role": p.role}
                for i, (p, pid) in enumerate(zip(a.parties, party_ids, strict=True))
            ],
        )
    insert_rows(
        con,
        "agreement_mentions",
        [
            {"agreement_id": match, "url": url, "seq": i, "text": ev.text, "block": ev.span.block, "block_index": ev.span.index,
             "start_char": ev.span.start, "end_char": ev.span.end, "dedup_key": key, "run_id": run_id}
            for i, ev in enumerate(a.evidence)
        ],
    )
