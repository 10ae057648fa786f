"""Pure functions from bytes or text to records: no network, no database.

`EXTRACTOR_VERSION` names the extractor code, reference data and spaCy model that made a
row ("0.1.0+1a2b3c4d5e6f"); it changes by itself whenever any of them changes
(`extractors.version`), so `newsflow reprocess` rebuilds rows an older extractor made.
"""

from __future__ import annotations

from typing import Any

from extractors.version import extractor_version


def __getattr__(name: str) -> Any:
    if name == "EXTRACTOR_VERSION":  # computed on first use, once per process
        return extractor_version()
    raise AttributeError(f"module 'extractors' has no attribute {name!r}")
