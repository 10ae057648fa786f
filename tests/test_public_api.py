"""The public API is what each package's `__all__` lists and the README promises, and all of it imports."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT


def _readme_table() -> dict[str, set[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## From Python") : text.index("## Layout")]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, re.M)
    return {pkg: set(re.findall(r"`(\w+)(?:\(|`)", names)) for pkg, names in rows}


def test_the_readme_names_exactly_what_the_extractors_promise():
    import extractors

    assert _readme_table()["extractors"] == set(extractors.__all__)
    assert all(callable(getattr(extractors, name)) for name in extractors.__all__ if name != "EXTRACTOR_VERSION")


def test_the_flows_are_their_ingest_module():
    from prefect import Flow

    import flows
    from flows.ingest import ingest, reprocess

    assert flows.__all__ == ["ingest"] and "ingest" in _readme_table()["flows"]
    assert isinstance(ingest, Flow) and isinstance(reprocess, Flow) and (ingest.name, reprocess.name) == ("ingest", "reprocess")


def test_every_record_and_error_the_readme_names_is_public():
    import schemas

    named = _readme_table()["schemas"] - {"NewsflowError"}
    assert named <= set(schemas.__all__) and "NewsflowError" in schemas.__all__
    assert issubclass(schemas.WarehouseLocked, schemas.NewsflowError) and issubclass(schemas.UnusableDocument, schemas.NewsflowError)


def test_the_public_functions_are_the_ones_the_pipeline_runs():
    import extractors
    from extractors.analysis import analyze
    from extractors.page import parse_page

    assert (extractors.parse_page, extractors.analyze) == (parse_page, analyze)
    with pytest.raises(AttributeError):
        extractors.no_such_name  # noqa: B018 (the attribute access is the test)
