"""CPU per article of each analysis stage, beside spaCy's NER alone on the same texts, in one run.

Run: `python bench/analysis_cost.py [--pages] [--repeat N] [FILE ...]`. Reads each file (default:
the 33 IE dev texts, `bench/ie.py` DEV_IDS, only timed, never printed; `--pages`: the 120
extraction dev pages that `shared/webfarm/farm.py` serves to `bench/ingest.py`) through
`read_page`, the one path of ingest, reprocess and `newsflow extract`, and charges the CPU
time (process time) to the stage running:

    parse          fetched bytes to an Article (`parse_page`)
    NER            the entity pipeline's spaCy pass (tokenizer, reference-name rulers, sentences, NER)
    entity rules   mentions, titles, short forms, credits, building the entities
    resolution     kinds by vote and which mentions name one entity (`vote_kinds`, `resolve`)
    agreements     agreement rules (triggers, sides, dates, sums, merging)
    parser         the dependency parse of the sentences that state an agreement
    other          the rest of `read_page` (budget, ...)

Each time is the stage's own, without the stages it calls. The floor is spaCy's NER alone
(the same model with only its `ner` pipe, which carries its own token-to-vector layer) on the
texts the pipeline tags (title, body and captions of each article), run in the same passes.
Issue 12 reads "total minus floor". Each figure is the best of the passes (the machine is
shared: compare the ratios of one run, not figures across runs). Never a test.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import extractors.agreements.extract as agreement_extract  # noqa: E402 (imports after the path is set)
import extractors.analysis as analysis  # noqa: E402
import extractors.entities as entities  # noqa: E402
from extractors.entities.nlp import MODEL, load_nlp  # noqa: E402
from extractors.entities.units import article_units  # noqa: E402
from extractors.page import UnusableDocument  # noqa: E402
from flows.extract import CONTENT_TYPES  # noqa: E402

SHARED = Path(os.environ.get("NEWSFLOW_SHARED", ROOT.parent / "shared"))
STAGES = ["parse", "NER", "entity rules", "resolution", "agreements", "parser", "other"]


class Stages:
    """Process time charged to the innermost stage running (a stack: a stage called by another is its own)."""

    def __init__(self) -> None:
        self.spent = dict.fromkeys(STAGES, 0.0)
        self.stack = ["other"]
        self.mark = time.process_time()

    def _switch(self, push: str | None) -> None:
        self.close()
        if push is None:
            self.stack.pop()
        else:
            self.stack.append(push)

    def close(self) -> None:
        """Charge the time since the last switch to the stage running."""
        now = time.process_time()
        self.spent[self.stack[-1]] += now - self.mark
        self.mark = now

    def timed(self, stage: str, fn: Callable) -> Callable:
        def run(*args, **kwargs):
            self._switch(stage)
            try:
                return fn(*args, **kwargs)
            finally:
                self._switch(None)
        return run



def instrument(stages: Stages) -> None:
    """Wrap the functions of each stage where their callers look them up; fails loudly if one moved."""
    for module, name, stage in [(analysis, "parse_page", "parse"), (analysis, "extract_entities", "entity rules"),
                                (entities, "vote_kinds", "resolution"), (entities, "resolve", "resolution"),
                                (analysis, "extract_agreements", "agreements"), (agreement_extract, "parse_many", "parser"),
                                (entities, "tag", "NER")]:
        setattr(module, name, stages.timed(stage, getattr(module, name)))


def ner_floor(texts: list[list[str]]) -> float:
    """Process seconds of spaCy's NER alone on the texts, one pipe per article as the pipeline does."""
    import spacy

    nlp = ner_floor.nlp = getattr(ner_floor, "nlp", None) or spacy.load(
        MODEL, exclude=[p for p in spacy.load(MODEL).pipe_names if p != "ner"])
    start = time.process_time()
    for units in texts:
        list(nlp.pipe(units))
    return time.process_time() - start


def every_sentence(texts: list[list[str]]) -> float:
    """Process seconds of the NER stage as it was before `extractors.entities.nlp.tag` left sentences out: the
    pipeline's model (rulers, sentences, NER) over every text whole, one pipe per article."""
    nlp = load_nlp()
    start = time.process_time()
    for units in texts:
        list(nlp.pipe(units))
    return time.process_time() - start


def _readable(read_page: Callable, body: bytes, content_type: str | None) -> bool:
    try:
        read_page(body, content_type)  # the first also loads the models
    except UnusableDocument:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="pages or texts, .gz too (default: the IE dev texts)")
    ap.add_argument("--pages", action="store_true", help="the extraction dev pages the web farm serves")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the files (the best of each figure is kept)")
    args = ap.parse_args(argv)
    if args.files:
        paths = args.files
    elif args.pages:
        paths = sorted((SHARED / "bench" / "extraction" / "dev" / "html").glob("*.html.gz"))
    else:
        from ie import DEV_IDS  # bench/ie.py, beside this file
        paths = [SHARED / "corpus" / "real" / f"{i}.txt" for i in DEV_IDS]
    bodies = [(gzip.decompress(p.read_bytes()), CONTENT_TYPES.get(Path(p.stem).suffix.lower())) if p.suffix == ".gz"
              else (p.read_bytes(), CONTENT_TYPES.get(p.suffix.lower())) for p in paths]
    read_page = analysis.read_page
    bodies = [(b, t) for b, t in bodies if _readable(read_page, b, t)]  # (rejects cost no analysis)
    texts = [[u.clean for u in article_units(read_page(b, t)[0])] for b, t in bodies]
    ner_floor(texts[:1])
    stages = Stages()
    instrument(stages)
    best = dict.fromkeys([*STAGES, "total", "floor", "every"], float("inf"))
    for _ in range(args.repeat):
        stages.spent = dict.fromkeys(STAGES, 0.0)
        stages.mark = time.process_time()
        for body, content_type in bodies:
            read_page(body, content_type)
        stages.close()
        for stage, seconds in stages.spent.items():
            best[stage] = min(best[stage], seconds)
        best["total"] = min(best["total"], sum(stages.spent.values()))
        best["floor"] = min(best["floor"], ner_floor(texts))
        best["every"] = min(best["every"], every_sentence(texts))
    n = len(bodies)
    ms = {k: v / n * 1000 for k, v in best.items()}
    print(f"{len(bodies)} articles, {sum(len(b) for b, _ in bodies) / n / 1000:.1f} KB each on average, "
          f"best of {args.repeat} passes; CPU ms per article")
    for stage in STAGES:
        print(f"  {stage:<16}{ms[stage]:>8.1f}")
    print(f"  {'total':<16}{ms['total']:>8.1f}")
    print(f"NER-only floor (spaCy {MODEL}, ner pipe alone, same texts): {ms['floor']:.1f}")
    print(f"NER stage on every sentence, as before (the pipeline's model over whole texts): {ms['every']:.1f}; "
          f"now (only sentences with a capitalised word after the first): {ms['NER']:.1f}")
    print(f"total - floor: {ms['total'] - ms['floor']:.1f}; rules and resolution (entity rules + resolution + agreements "
          f"+ parser): {ms['entity rules'] + ms['resolution'] + ms['agreements'] + ms['parser']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
