"""Every case in shared/bench/field/ (inputs rebuilt from peers' public bug reports) gives the
values its expected.json names: feeds through `parse_feed`, pages through `parse_page` with
the HTTP Content-Type they arrive with."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import SHARED, shared_files

from extractors.feeds import parse_feed
from extractors.page import parse_page

FIELD = SHARED / "bench" / "field"
CASES = [p.parent for p in shared_files(FIELD, "*/expected.json")]
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _runs(case):
    spec = json.loads((case / "expected.json").read_text())
    yield spec["input"], spec["checks"], spec
    for variant in spec.get("variants", []):
        yield variant["input"], variant["checks"], spec


PARAMS = [(case, name, checks, spec) for case in CASES for name, checks, spec in _runs(case)]


def _record(kind: str, body: bytes, spec: dict):
    if kind == "feed":
        return parse_feed(body, spec["url"], spec.get("content_type"), now=NOW)
    article = parse_page(body, spec.get("content_type"), spec["url"])
    return {"article": {"title": article.title, "published": article.published_at, "body": article.body,
                        "authors": article.authors, "captions": article.captions}}


def _get(record, path: str):
    for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        record = record[key] if isinstance(record, dict) else getattr(record, key)
        if index:
            record = record[int(index)]
    return record


def _check(value, op: str, expected) -> bool:
    if isinstance(value, dt.datetime):
        return op == "eq" and value == dt.datetime.fromisoformat(expected)
    if op == "eq":
        return value == expected
    if op == "contains":
        return expected in value
    raise AssertionError(f"unknown operator {op}")


@pytest.mark.parametrize(("case", "name", "checks", "spec"), PARAMS, ids=[f"{c.name}/{n}" for c, n, _, _ in PARAMS])
def test_field_case(case, name, checks, spec):
    record = _record(spec["kind"], (case / name).read_bytes(), spec)
    for check in checks:
        value = _get(record, check["path"])
        assert _check(value, check["op"], check["value"]), f"{check['path']}: {value!r} {check['op']} {check['value']!r}"
