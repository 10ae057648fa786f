"""Crash-test hooks: named points where a run can be frozen, so a test can `kill -9` it exactly there.

Inert unless the environment sets NEWSFLOW_PAUSE_AT; nothing in newsflow sets it. The points:

| name       | where                                                                    |
|------------|--------------------------------------------------------------------------|
| `polled`   | feed entries, frontier and validators committed; no page fetched yet     |
| `fetch`    | one page of a batch fetched, the others of its batch still in flight     |
| `load`     | inside a batch's load transaction, articles written, not yet committed   |
| `analysis` | inside an analysis batch's transaction, facts written, not yet committed |
| `stage`    | a staged batch's first table written, its other tables and its marker not yet (`flows.staging`) |

NEWSFLOW_PAUSE_AT=`name` freezes the process the first time it passes `name`, `name:N` the
N-th time. It then writes `name:N` to the file NEWSFLOW_PAUSED_FILE names (when set) and
sleeps until killed, holding whatever it held (the event loop, the open transaction).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_passes: dict[str, int] = {}


def pause_point(name: str) -> None:
    """Freeze here if NEWSFLOW_PAUSE_AT names this point and pass; otherwise return at once."""
    wanted = os.environ.get("NEWSFLOW_PAUSE_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] != int(nth or 1):
        return
    if marker := os.environ.get("NEWSFLOW_PAUSED_FILE"):
        Path(marker).write_text(f"{name}:{_passes[name]}")
    while True:
        time.sleep(60)
