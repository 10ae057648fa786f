"""`newsflow extract` over every real text in the shared corpus: never fails, stays consistent.

No answers are read here (most of these texts are held out): the checks are properties
any correct output has, not expected values.
"""


import pytest
from conftest import SHARED, shared_files

from flows.extract import extract_file

TEXTS = shared_files(SHARED / "corpus" / "real", "*.txt")


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_every_party_is_an_entity_of_the_record_and_every_evidence_is_in_the_text(path):
    record = extract_file(path)
    article = record["article"]
    assert article["body"]
    names = {e["name"] for kind in ("persons", "organizations", "places") for e in record[kind]}
    published = "\n".join([article["title"] or "", article["body"], *article["captions"]])
    for a in record["agreements"]:
        for p in a["parties"]:
            assert p["name"] in names or p["kind"] == "collective", p
        for sentence in a["evidence"]:
            assert sentence in published, sentence
