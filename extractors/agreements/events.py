"""Where and when an agreement was made when its sentence only points at the occasion.

"During the event, X signed ..." and "At the meeting, ..." inherit the date and place
of the event the article reports as held ("was held on Monday in Zhangjiajie");
"here" is the dateline's place. A place stated in the sentence itself ("signed in
Beijing") comes first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractors.agreements.dates import find_dates
from extractors.agreements.finder import Named

_EVENT_REF = re.compile(
    r"\b(?:at|during|on\s+the\s+sidelines\s+of|on\s+the\s+occasion\s+of|at\s+the\s+end\s+of)\s+(?:the|this|that)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:event|meeting|ceremony|conference|forum|summit|session|fair|expo|exhibition|seminar|"
    r"symposium|talks|visit|dialogue|gathering|meetings|conferences)\b", re.I)
_HERE = re.compile(r"\bhere\b", re.I)
_HELD = re.compile(r"\b(?:(?:was|were|is|are|been)\s+(?:held|convened|opened|launched)|took\s+place|kicked\s+off|"
                   r"opened(?=\s+(?:in|at|on)\b))\b", re.I)
_IN = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class Setting:
    date: str | None = None
    place: str | None = None


def place_in(text: str, named: list[Named], after: int = 0) -> str | None:
    """A place the sentence locates something in ("in Lhasa"), from `after` on."""
    for n in named:
        if n.start >= after and n.entity.kind == "place" and _IN.search(text[: n.start]):
            return n.entity.name
    return None


def reports_event(text: str) -> bool:
    """The sentence reports an event as held ("was held on Monday in Zhangjiajie"): later ones may point at it."""
    return _HELD.search(text) is not None


def _last_event(seen: list[tuple[str, list[Named]]], reference: dt.date | None) -> Setting | None:
    for sentence, named in reversed(seen):
        if held := _HELD.search(sentence):
            dates = [d.value for d in find_dates(sentence[held.start() :], reference)]
            return Setting(next((d for d in dates if d), None), place_in(sentence, named, held.start()))
    return None


def event_setting(seen: list[tuple[str, list[Named]]], text: str, reference: dt.date | None, dateline_place: str | None,
                  dated: bool) -> Setting:
    """The setting of an agreement sentence: of the event it points at ("during the event", "here");
    an undated statement also takes the place of the last event reported before it.
    `seen` are the earlier sentences with their entities (those that `reports_event` are enough)."""
    event = _last_event(seen, reference)
    if _EVENT_REF.search(text) and event:
        return event
    place = dateline_place if _HERE.search(text) else None
    if place is None and not dated and event:
        place = event.place
    return Setting(None, place)
