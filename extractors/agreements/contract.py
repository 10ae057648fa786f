"""Agreements in the answer format of the IE bench and the `newsflow extract` output."""

from __future__ import annotations

from typing import Any

from schemas.agreements import Agreement


def to_contract(agreements: list[Agreement]) -> list[dict[str, Any]]:
    """`{"type", "status", "parties": [{"name", "entity_id", "kind", "count", "with_affiliates", "role"}], "date",
    "place", "period", "amount", "subject", "evidence"}`; `entity_id` (the party's entity in the same record),
    `kind` and `with_affiliates` add to the bench's answer format."""
    return [
        {
            "type": a.type,
            "status": a.status,
            "parties": [
                {"name": p.name, "entity_id": p.entity_id, "kind": p.kind, "count": p.count,
                 "with_affiliates": p.with_affiliates, "role": p.role}
                for p in a.parties
            ],
            "date": a.date,
            "place": a.place,
            "period": a.period,
            "amount": {"value": a.amount.value, "currency": a.amount.currency} if a.amount else None,
            "subject": a.subject,
            "evidence": [e.text for e in a.evidence],
        }
        for a in agreements
    ]
