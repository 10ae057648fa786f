"""Agreements an article reports: typed, with parties, terms and the sentences that state them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.entities import Span

AgreementType = Literal[
    "memorandum", "cooperation_agreement", "joint_venture", "contract", "acquisition",
    "merger", "loan", "investment", "treaty", "other",
]
AgreementStatus = Literal["signed", "agreed", "planned", "terminated", "completed"]


class Party(BaseModel):
    name: str  # an entity's `name`, or a collective's description ("15 central enterprises")
    entity_id: str | None = None  # the party's `Entity.id` in the same article, when it is one of its entities
    kind: Literal["person", "organization", "place", "collective"] = "organization"
    count: int | None = None
    with_affiliates: bool = False
    role: str | None = None  # acquirer, target, seller, lender, borrower, signatory


class Amount(BaseModel):
    value: float
    currency: str  # ISO 4217


class Evidence(BaseModel):
    text: str  # the sentence or caption as published
    span: Span


class Agreement(BaseModel):
    type: AgreementType
    status: AgreementStatus
    parties: list[Party] = Field(default_factory=list)
    date: str | None = None  # ISO "YYYY-MM-DD", or "YYYY-MM" / "YYYY" when the text fixes no more
    place: str | None = None
    period: str | None = None  # "14th Five-Year Plan"
    amount: Amount | None = None
    subject: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
