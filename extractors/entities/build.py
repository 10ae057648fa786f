"""Entities from resolved mention groups: the fullest name, the other forms as aliases, the
organization kind, titles with their organizations, credits, and mentions with spans in
the published text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from extractors.entities.mentions import Cand
from extractors.entities.titles import generic
from extractors.entities.units import Unit
from extractors.sentences import paragraph_around
from schemas.entities import Alias, Entity, Mention, Span, Title
from schemas.names import name_key

_ALIAS_KIND = {"exact": "name", "abbreviation": "abbreviation", "short_form": "short_form",
               "spelling_variant": "spelling_variant", "description": "description"}
_KIND_WORDS = [
    ("media", r"\b(?:news|press|times|daily|post|television|tv|radio|media|network|agency)\b"),
    ("party", r"\bparty\b"),
    ("government", r"\b(?:government|ministry|commission|bureau|administration|department|council|court|"
                   r"procuratorate|office|authority|embassy|consulate|congress|parliament|assembly|police|army)\b"),
    ("ngo", r"\b(?:association|alliance|union|federation|society|foundation|chamber|league|committee|club)\b"),
    ("other", r"\b(?:hospital|university|college|institute|academy|school|laboratory|center|centre|museum|"
              r"library|studio)\b"),
]


def org_kind(name: str) -> str:
    low = name.lower()
    return next((kind for kind, pattern in _KIND_WORDS if re.search(pattern, low)), "company")


def _keep(kind: str, group: list[Cand]) -> bool:
    if kind == "organization":
        return any(c.ref is not None or not generic(c) for c in group if c.how != "description")
    if kind == "person":
        return any(len(c.text.split()) > 1 or c.honorific or c.role == "credit" for c in group)
    return True


def _name(group: list[Cand]) -> str:
    named = [c for c in group if c.how not in ("description",) and not re.match(r"(?i)the\s", c.text)] or group
    proper = [c for c in named if not c.text.isupper() or len(c.text) <= 5] or named
    best = max(proper, key=lambda c: (c.how == "exact", len(c.text.split()), len(c.text)))
    ref = next((c.ref for c in group if c.ref is not None), None)
    if ref is not None and best.text.isupper() and len(best.text) > 5:
        return ref.name
    return best.text


_RANKS = {"deputy", "vice", "assistant", "acting", "former", "executive", "honorary", "associate"}


def _post_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", title.lower()) if w not in ("of", "the", "and", "in", "at", "for")}


def _add_title(titles: list[Title], new: Title) -> None:
    """Add a title unless it restates one already held ("director of vascular surgery of the hospital")."""
    nw = _post_words(new.title)
    for k, old in enumerate(titles):
        ow = _post_words(old.title)
        if (nw <= ow or ow <= nw) and nw & _RANKS == ow & _RANKS and (
                old.organization == new.organization or None in (old.organization, new.organization)):
            if old.organization is None and new.organization is not None:
                titles[k] = new
            return
    titles.append(new)


def build_entity(group: list[Cand], units: list[Unit], title_org: Callable[[Cand | None], tuple[str | None, str | None]]) -> Entity | None:
    """One entity from a group, or None when the group names nothing (a generic description,
    a lone unexplained surname). `title_org` maps a title's organization mention to its
    (name, entity id); the id is None when the organization is no entity of the article."""
    ref = next((c.ref for c in group if c.ref is not None), None)
    kind = ref.kind if ref is not None else Counter(c.kind for c in group).most_common(1)[0][0]
    if not _keep(kind, group):
        return None
    name = _name(group)
    aliases, seen = [], {name_key(name)}
    for c in group:
        if name_key(c.text) not in seen:
            seen.add(name_key(c.text))
            how = "abbreviation" if re.fullmatch(r"[A-Z][A-Z&.]{1,9}", c.text) and len(name) > len(c.text) else c.how
            aliases.append(Alias(text=c.text, kind=_ALIAS_KIND.get(how, "name")))
    titles: list[Title] = []
    for c in group:
        for title, org in c.titles:
            org_name, org_id = title_org(org)
            _add_title(titles, Title(title=title, organization=org_name, organization_id=org_id))
    credit = next((c.credit for c in group if c.credit), None)
    okind = None
    if kind == "organization":
        okind = ref.type if ref is not None else next((c.org_kind for c in group if c.org_kind), None) or org_kind(name)
    mentions = []
    for c in sorted(group, key=lambda c: (c.unit, c.start)):
        if c.start < 0:
            continue
        u = units[c.unit]
        s, e = u.to_published(c.start, c.end)
        ss, se = u.to_published(*c.sent) if c.sent != (0, 0) else (0, len(u.published))
        ps, pe = paragraph_around(u.published, s, e)  # the tagger's sentences can run across blank lines
        ss, se = max(ss, ps), min(se, pe)
        mentions.append(Mention(surface=u.published[s:e], span=Span(block=u.block, index=u.index, start=s, end=e),
                                sentence=u.published[ss:se], role=c.role, resolved_by=c.how))
    return Entity(kind=kind, name=name, aliases=aliases, org_kind=okind, titles=titles, credit=credit,
                  mentions=mentions)
