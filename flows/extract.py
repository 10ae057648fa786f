"""`newsflow extract`: saved pages or text files to the extract contract, without a database.

The record's shape is a contract other tools rely on: keep it stable, add only.
"""

from __future__ import annotations

from pathlib import Path

from extractors import agreements, entities
from extractors.analysis import read_page
from extractors.page import UnusableDocument
from flows.http import FetchPolicy

CONTENT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".html": "text/html", ".htm": "text/html"}


def extract_file(path: Path, url: str | None = None) -> dict:
    """{"source", "article", "persons", "organizations", "places", "agreements"} for one file.

    A file larger than the page cap ingest applies (`FetchPolicy.max_bytes`) is not read: its
    record carries an "error" instead, as for a file that is not an article.
    """
    record: dict = {"source": str(path), "article": None, "persons": [], "organizations": [], "places": [], "agreements": []}
    size, cap = path.stat().st_size, FetchPolicy.max_bytes
    if size > cap:
        record["error"] = f"{size:,} bytes is larger than the {cap:,}-byte page limit ingest applies; not read"
        return record
    try:
        a, found, deals = read_page(path.read_bytes(), CONTENT_TYPES.get(path.suffix.lower()), url=url)
    except UnusableDocument as e:
        record["error"] = str(e)
        return record
    record["article"] = {
        "title": a.title,
        "authors": a.authors,
        "published": a.published_at.isoformat() if a.published_at else None,
        "language": a.language,
        "body": a.body,
        "clean_body": a.clean_body,
        "paragraphs": a.paragraphs,
        "captions": a.captions,
        "credits": a.credits,
        "byline": a.byline,
        "dateline": a.dateline.model_dump(exclude={"raw"}, mode="json") if a.dateline else None,
        "end_markers": a.end_markers,
        "canonical_url": a.canonical_url,
        "site_name": a.site_name,
        "warnings": a.warnings,
    }
    record.update(entities.to_contract(found))
    record["agreements"] = agreements.to_contract(deals)
    return record
