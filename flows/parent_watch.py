"""A child process of a run ends with the run, however the run ended: its parent stops it on a normal exit, but a
parent killed outright (``kill -9``, out of memory, a scheduler's timeout) cannot."""
from __future__ import annotations

import os
import select
import threading
import time
from typing import Callable

PARENT_CHECK_SECONDS = 1.0  # polling interval where the system cannot signal a process's end (no pidfd)


def when_parent_gone(action: Callable[[], None], *, owner: int | None = None) -> None:
    """Call ``action`` in a daemon thread of this process once its parent has ended, or the process ``owner``
    (the run's process, for a worker forked by a fork server). On Linux the end is signalled at once (a pidfd);
    elsewhere it is noticed within ``PARENT_CHECK_SECONDS`` (the parent pid changes: this process was adopted;
    or the owner's pid is gone)."""
    pid = os.getppid() if owner is None else owner

    def alive() -> bool:
        if owner is None:
            return os.getppid() == pid
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):  # gone already (ProcessLookupError), or no pidfd here
            fd = None
        if fd is not None:
            select.select([fd], [], [])  # readable once the process has ended
            os.close(fd)
        else:
            while alive():
                time.sleep(PARENT_CHECK_SECONDS)
        action()

    threading.Thread(target=watch, name="canvas-etl-parent-watch", daemon=True).start()
