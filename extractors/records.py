"""The decisions between extraction and the warehouse: what is stored of an article and of its analysis.

The warehouse writes what it is given. Every choice of what a row says is made here, once, and
tested without a database (tests/test_records.py):

- an article's publication date is the page's own, else its feed entry's, else its dateline's
  (`published`, applied by `stored_article`, the record stage 1 stores);
- a person credited with the article (reporter, photographer, editor) is a credit of the article,
  and a title that names the credit is not a post held (`article_facts`);
- a collective party of an agreement ("15 central enterprises") is an entity of kind collective,
  with its count, unless the article names an entity by that name;
- a role's organization and an agreement's party point at one of the article's entities: the one
  the extractor linked, else the one whose name has the same key (`schemas.names.name_key`);
- a role is observed on the date the page gives itself (in its own time zone), none when it gives none;
- the article's warnings after analysis are the parse's and, when only part was read, the line
  that says so (one, the latest analysis's).
"""

from __future__ import annotations

import datetime as dt
from typing import get_args

from extractors.budget import LIMITED, AnalysisLimit
from schemas import Agreement, Article, ArticleFacts, ArticleText, Credit, Entity, Role, StoredArticle
from schemas.article import PublishedSource
from schemas.facts import CreditRole
from schemas.names import name_key

CREDIT_ROLES: dict[str, CreditRole] = {role: role for role in get_args(CreditRole)}  # a title that is a credit -> the credit


def published(article: Article, feed_published_at: dt.datetime | None) -> tuple[dt.datetime | None, PublishedSource | None]:
    """(date, source) of an article's publication: the page's date, else the feed entry's, else the
    dateline's day at 00:00 UTC; (None, None) when none of them gives one."""
    if article.published_at:
        return article.published_at, "page"
    if feed_published_at:
        return feed_published_at, "feed"
    if article.dateline and article.dateline.date:
        return dt.datetime.combine(article.dateline.date, dt.time(), dt.UTC), "dateline"
    return None, None


def stored_article(
    url: str, raw_sha256: str, article: Article, feed_url: str | None = None, final_url: str | None = None,
    feed_published_at: dt.datetime | None = None,
) -> StoredArticle:
    """What stage 1 stores of a parsed page: the article under its key `url` (the canonical entry URL),
    from the raw page `raw_sha256`, listed by `feed_url` with `feed_published_at`, served from `final_url`."""
    published_at, source = published(article, feed_published_at)
    return StoredArticle(url=url, raw_sha256=raw_sha256, article=article, feed_url=feed_url, final_url=final_url,
                         published_at=published_at, published_source=source)


def warnings_after(warnings: list[str], limit: AnalysisLimit | None) -> list[str]:
    """An article's `warnings` with the line of an earlier analysis's limit replaced by this one's (if any)."""
    return [w for w in warnings if not w.startswith(LIMITED)] + ([limit.reason] if limit else [])


def article_facts(
    text: ArticleText, entities: list[Entity], agreements: list[Agreement], limit: AnalysisLimit | None, version: str
) -> ArticleFacts:
    """What the warehouse stores of one article's analysis (`analysis.analyze` gave `entities`,
    `agreements` and `limit`), with the decisions of the module docstring made. `version`: the
    extractor version that analysed it. Entities without an id get one ("x1", ...; collectives "c1", ...)."""
    entities = [e if e.id else e.model_copy(update={"id": f"x{n}"}) for n, e in enumerate(entities, 1)]
    named = {name_key(e.name) for e in entities}
    groups: dict[str, Entity] = {}
    for a in agreements:
        for p in a.parties:
            if p.kind == "collective" and (key := name_key(p.name)) not in named:
                groups[key] = Entity(kind="collective", name=p.name, count=p.count)
    everyone = entities + [g.model_copy(update={"id": f"c{n}"}) for n, g in enumerate(groups.values(), 1)]
    ids = {e.id for e in everyone}
    by_name = {name_key(e.name): e.id for e in everyone}

    def pointed(entity_id: str | None, name: str | None) -> str | None:
        if entity_id in ids:
            return entity_id
        return by_name.get(name_key(name)) if name else None

    observed = text.article.published_at.date() if text.article.published_at else None
    roles, credits = [], []
    for e in everyone:
        assert e.id is not None  # every entity got one above
        credited: set[CreditRole] = {e.credit} if e.credit else set()
        for t in e.titles:
            if e.credit and (role := CREDIT_ROLES.get(t.title.lower())):
                credited.add(role)  # a credit of the article, not a post held
                continue
            roles.append(Role(person_id=e.id, title=t.title, organization=t.organization,
                              organization_id=pointed(t.organization_id, t.organization), observed_on=observed, evidence=t.evidence))
        credits += [Credit(entity_id=e.id, name=e.name, role=r) for r in sorted(credited)]
    deals = [a.model_copy(update={"parties": [p.model_copy(update={"entity_id": pointed(p.entity_id, p.name)}) for p in a.parties]})
             for a in agreements]
    return ArticleFacts(url=text.url, extractor_version=version, entities=everyone, roles=roles, credits=credits, agreements=deals,
                        warnings=warnings_after(text.article.warnings, limit))
