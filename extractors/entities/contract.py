"""Entities in the `newsflow extract` contract: the shape of the IE gold answers.

    {"persons": [{"name", "aliases", "titles": [{"title", "organization"}]}],
     "organizations": [{"name", "aliases", "kind"}], "places": [{"name", "aliases"}]}
"""

from __future__ import annotations

from schemas.entities import Entity


def to_contract(entities: list[Entity]) -> dict:
    out: dict = {"persons": [], "organizations": [], "places": []}
    for e in entities:
        aliases = e.alias_texts
        if e.kind == "person":
            out["persons"].append({"name": e.name, "aliases": aliases,
                                   "titles": [{"title": t.title, "organization": t.organization} for t in e.titles]})
        elif e.kind == "organization":
            out["organizations"].append({"name": e.name, "aliases": aliases, "kind": e.org_kind or "other"})
        elif e.kind == "place":
            out["places"].append({"name": e.name, "aliases": aliases})
    return out
