"""Entities in the `newsflow extract` contract: the shape of the IE gold answers.

    {"persons": [{"id", "name", "aliases", "titles": [{"title", "organization", "organization_id"}]}],
     "organizations": [{"id", "name", "aliases", "kind"}], "places": [{"id", "name", "aliases"}]}

`id` is the entity's article-local id ("e1"); agreement parties and title organizations point at it.
"""

from __future__ import annotations

from typing import Any

from schemas.entities import Entity


def to_contract(entities: list[Entity]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"persons": [], "organizations": [], "places": []}
    for e in entities:
        aliases = e.alias_texts
        if e.kind == "person":
            out["persons"].append({"id": e.id, "name": e.name, "aliases": aliases,
                                   "titles": [{"title": t.title, "organization": t.organization,
                                               "organization_id": t.organization_id} for t in e.titles]})
        elif e.kind == "organization":
            out["organizations"].append({"id": e.id, "name": e.name, "aliases": aliases, "kind": e.org_kind or "other"})
        elif e.kind == "place":
            out["places"].append({"id": e.id, "name": e.name, "aliases": aliases})
    return out
