"""A floor under the agreement scores on the locked part of the IE dev set (`bench/ie.py` LOCKED_IDS).

The locked texts are never read to tune, and this test must not show them: it runs the
`newsflow extract` path on them into a temporary folder, scores with the shared scorer
(output captured), and reports only micro figures. A later change that drops the locked
scores below these floors fails here, whatever it does to the tuning part.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, need_shared

from flows.extract import extract_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from ie import LOCKED_IDS  # noqa: E402  (the split lives in the benchmark, once)

SCORER = SHARED / "bench" / "ie" / "score_ie.py"
# Micro-F1 reached on the locked part (bench/ie.py, this branch), less a margin for harmless drift.
FLOORS = {"agreements": 0.69, "agreements_untyped": 0.69, "agreement_parties": 0.55, "agreement_amounts": 0.5,
          "agreement_dates": 0.3}


@pytest.fixture(scope="module")
def locked_scores(tmp_path_factory) -> dict:
    texts = [SHARED / "corpus" / "real" / f"{i}.txt" for i in LOCKED_IDS]
    need_shared(SCORER, *texts)
    out = tmp_path_factory.mktemp("ie-locked")
    for i, path in zip(LOCKED_IDS, texts, strict=True):
        (out / f"{i}.json").write_text(json.dumps(extract_file(path), ensure_ascii=False, default=str))
    scores = out / "scores.json"
    subprocess.run([sys.executable, str(SCORER), str(out), "--ids", ",".join(LOCKED_IDS), "--no-per-article",
                    "--json", str(scores)], check=True, capture_output=True)
    return {field: round(v["f1"], 3) for field, v in json.loads(scores.read_text())["micro"].items()}


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_locked_agreement_floor(locked_scores, field):
    assert locked_scores[field] >= FLOORS[field], f"{field}: {locked_scores[field]} < {FLOORS[field]}"
