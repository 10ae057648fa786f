"""One error family: everything newsflow raises on purpose is a NewsflowError, and the old names are its members."""

import duckdb

import schemas.errors as errors


def test_every_error_newsflow_raises_on_purpose_is_a_newsflow_error():
    from extractors.feeds import FeedError
    from extractors.page import UnusableDocument
    from flows.config import ConfigError
    from warehouse.db import WarehouseLocked
    from warehouse.judgements import JudgementError

    family = [getattr(errors, n) for n in errors.__all__ if n[0].isupper() and n != "NewsflowError"]
    assert {c.__name__ for c in family} == {
        "ConfigError", "FetchError", "UnusableDocument", "FeedError", "WarehouseError", "WarehouseLocked", "QueryError", "JudgementError"}
    assert all(issubclass(c, errors.NewsflowError) for c in family)
    assert (FeedError, UnusableDocument, ConfigError, WarehouseLocked, JudgementError) == (
        errors.FeedError, errors.UnusableDocument, errors.ConfigError, errors.WarehouseLocked, errors.JudgementError)
    assert issubclass(errors.WarehouseLocked, errors.WarehouseError) and not issubclass(errors.WarehouseLocked, duckdb.Error)


def test_the_command_line_needs_no_duckdb_to_handle_errors():
    from pathlib import Path

    import flows.cli

    assert "import duckdb" not in Path(flows.cli.__file__).read_text()


def test_validation_problems_read_as_words():
    from pydantic import BaseModel, Field, ValidationError

    class M(BaseModel):
        n: int = Field(ge=1)

    try:
        M(n=0)
    except ValidationError as e:
        assert errors.problem(e.errors()[0]) == "must be at least 1 (got 0)"
