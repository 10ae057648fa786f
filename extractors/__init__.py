"""Pure functions from bytes or text to records: no network, no database.

The public API (kept stable; everything else here may change):

    parse_page(body, content_type=None, url=None, reference_date=None) -> Article   any fetched or saved page or text
    parse_article(html, url=None) -> Article                                         an HTML article page
    parse_text(text, url=None, reference_date=None) -> Article                       a plain-text news report
    analyze(article) -> (entities, agreements, limit)                                its persons, organizations, places, agreements
    read_page(body, content_type=None, url=None) -> (Article, entities, agreements)  parse_page then analyze
    EXTRACTOR_VERSION                                                                the version every derived row names

They raise `schemas.errors.UnusableDocument` for a body that is no article. `EXTRACTOR_VERSION`
names the extractor code, reference data and spaCy model that made a row ("0.1.0+1a2b3c4d5e6f");
it changes by itself whenever any of them changes (`extractors.version`), so `newsflow
reprocess` rebuilds rows an older extractor made. The names load on first use, so importing one
extractor module does not load the language model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from extractors.version import extractor_version

__all__ = ["EXTRACTOR_VERSION", "analyze", "parse_article", "parse_page", "parse_text", "read_page"]

_HOMES = {"analyze": "extractors.analysis", "read_page": "extractors.analysis", "parse_article": "extractors.article",
          "parse_page": "extractors.page", "parse_text": "extractors.text"}


def __getattr__(name: str) -> Any:
    if name == "EXTRACTOR_VERSION":  # computed on first use, once per process
        return extractor_version()
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'extractors' has no attribute {name!r}")
