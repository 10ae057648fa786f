"""Prefect flows, the HTTP client, configuration and the command line.

The public API is the module `flows.ingest`, with the `ingest(db, feeds_file, only=None,
refresh=False, policy=None)` and `reprocess(db)` flows (async Prefect flows; each returns the
run's `RunSummary`): `from flows.ingest import ingest, reprocess`. It is not imported here, so
the command line starts without Prefect's and spaCy's import cost (about 4 s).
"""

__all__ = ["ingest"]
