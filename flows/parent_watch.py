"""A child process of a run ends with the run, however the run ended: its parent stops it on a normal exit, but a
parent killed outright (``kill -9``, out of memory, a scheduler's timeout) cannot."""
from __future__ import annotations

import os
import threading
import time
from typing import Callable

PARENT_CHECK_SECONDS = 1.0


def when_parent_gone(action: Callable[[], None]) -> None:
    """Call ``action`` in a daemon thread of this process within ``PARENT_CHECK_SECONDS`` of its parent's end
    (this process is then adopted: its parent pid changes)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        action()

    threading.Thread(target=watch, name="canvas-etl-parent-watch", daemon=True).start()
