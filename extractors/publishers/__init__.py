"""Quirks of single news sources, one small module per source (as fundus keeps one class per
publisher), registered here by the hosts and agency names they apply to, so the generic
extractors stay generic and never import a source by name.

Each module defines `PUBLISHER` (`extractors.publishers.base.Publisher`): its hosts, its
agency names and its hooks. A quirk of a new source goes into a new module, added to
`REGISTRY`. The generic code asks `forms(hook, scope(url))` for the hooks that apply:

| hook | read by | form |
|---|---|---|
| `dateline` | `extractors.dateline` | an agency-first dateline, a template filled with `{agency}`, `{word}`, `{date}`, `{paren}`, `{sep}` (`cns`) |
| `reporter_lead` | `extractors.dateline` | "Outlet reporter Name, ..." opening a story; groups `agency`, `names` (`cns`) |
| `credit_prefix` | `extractors.lead` | an agency before a photo credit, "(Xinhua/Li Wei)": the credit is "Agency/Name" (`xinhua`) |
| `caption_form` | `extractors.lead` | how a one-sentence caption ends (`xinhua`) |
| `end_marker` | `extractors.lead` | a whole paragraph closing the copy (`reuters`) |
| `end_tail` | `extractors.lead` | the same glued after the last sentence (`reuters`) |
| `sign_off` | `extractors.lead` | the words before "by" in a sign-off line, "(Reporting by ...)" (`reuters`) |
| `writer_credit` | `extractors.authors` | a credit in a sign-off that names the writers; group `names` (`reuters`) |
| `stamp` | `extractors.text` | an archive's time-stamp line above a text (`reuters`) |
| `page_header` | `extractors.text` | a page dump's header line; groups `title`, `time`, `date`, `rest` (`peoples_daily`) |

Which hooks apply: a wire's (a publisher with agency names) on every document, since its copy
runs on every site that buys it (a Reuters story elsewhere keeps its sign-off, a People's
Daily page its Xinhua credits); a site's on its own hosts and on documents from no registered
host (a text dump names none), never on another registered publisher's site.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from extractors.publishers import cns, peoples_daily, reuters, xinhua
from extractors.publishers.base import Publisher

REGISTRY: tuple[Publisher, ...] = (cns.PUBLISHER, xinhua.PUBLISHER, peoples_daily.PUBLISHER, reuters.PUBLISHER)


def scope(url: str | None) -> str:
    """Which publishers' hooks apply to the document at `url`: the name of the registered publisher
    serving its host, or "" for any other host, no URL or one that does not parse."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:
        return ""
    return next((p.name for p in REGISTRY if p.serves(host)), "")


@cache
def forms(hook: str, scope: str = "") -> tuple[str, ...]:
    """The regular-expression sources of `hook` of the publishers that apply in `scope` (see the
    module docstring), in `REGISTRY` order."""
    return tuple(p.hooks[hook] for p in REGISTRY if hook in p.hooks and (p.agencies or not scope or p.name == scope))


def alternatives(hook: str, scope: str = "") -> str:
    """`forms(hook, scope)` as one regular-expression group of alternatives; "(?!)", which never
    matches, when no publisher in `scope` has that hook."""
    found = forms(hook, scope)
    return "(?:" + "|".join(f"(?:{f})" for f in found) + ")" if found else "(?!)"
