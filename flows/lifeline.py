"""Helper processes that end with the newsflow process that started them, however it ends.

A parse worker and the temporary Prefect server each hold hundreds of MB. Their parent stops
them when it exits normally; this covers the other ends (`kill -9`, the OOM killer, a second
Ctrl-C that leaves at once): the helper watches its parent and leaves the moment it is gone.
"""

from __future__ import annotations

import os
import select
import threading
import time

ORPHAN_CHECK_S = 1.0  # how often a helper looks for its parent where pidfd is missing


def follow(parent_pid: int) -> None:
    """End this process as soon as process `parent_pid` has ended, from a daemon thread started here.

    Linux's pidfd says when the process exits (zombie or not); elsewhere, poll every `ORPHAN_CHECK_S`.
    Exit code 1, without cleanup (`os._exit`): what the helper was doing is of no use to anyone now.
    """
    threading.Thread(target=_exit_with, args=(parent_pid,), name="newsflow-lifeline", daemon=True).start()


def _exit_with(parent_pid: int) -> None:
    try:
        fd = os.pidfd_open(parent_pid)
    except (AttributeError, OSError):
        while _alive(parent_pid):
            time.sleep(ORPHAN_CHECK_S)
    else:
        select.select([fd], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
