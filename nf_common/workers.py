"""Server worker processes that do not outlive the server process that started them.

granian and hypercorn run the application in worker processes. When the server process
ends without stopping them (``kill -9``, the OOM killer, a crash), they would go on
serving its port: with SO_REUSEPORT a restarted server then shares the port with
orphans answering from another configuration. ``die_with_parent`` ties a worker's life
to its parent's: on Linux the kernel sends the worker SIGKILL when the parent dies
(``prctl(PR_SET_PDEATHSIG)``, set through ctypes); elsewhere a thread checks the parent
every half second. An orphan has lost its supervisor and its operator listener: it ends
at once rather than finishing its requests; the store's transactions keep it consistent.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

# The pid of the server process, set by the command that starts the workers.
PARENT_VARIABLE = "NPCF_BDT_SERVER_PID"
_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.5


def die_with_parent() -> None:
    """In a worker: end when the server process named in the environment ends."""
    text = os.environ.get(PARENT_VARIABLE)
    if not text or not text.isdigit():
        return  # not started by ``pcf-bdt serve`` / ``nef-bdt gateway``
    parent = int(text)
    if os.getppid() != parent:
        return  # a process of its own (a test, a tool) that inherited the variable
    if not sys.platform.startswith("linux") or not _ask_the_kernel():
        threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)


def _ask_the_kernel() -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL_SECONDS)
    os._exit(1)


def granian_with_bounded_stop() -> Any:
    """Granian's server class, stopping its workers within ``workers_kill_timeout``.

    On SIGTERM or SIGINT the workers are asked to stop and get until the deadline to
    finish what they serve; those still running then are killed. granian's own bounded
    stop (2.8) joins each worker while a watcher thread of its own joins it too: a join
    can return before the process is reaped, and granian then kills, and logs as stuck,
    a worker that had stopped. Polling ``is_alive`` until the deadline has no such race.
    """
    from granian import Granian
    from granian.log import logger

    class BoundedStop(Granian):  # type: ignore[misc,valid-type]
        def _stop_workers(self) -> None:
            for worker in self.wrks:
                worker.terminate()
            deadline = time.monotonic() + (self.workers_kill_timeout or 0)
            while any(w.is_alive() for w in self.wrks) and time.monotonic() < deadline:
                time.sleep(0.02)
            for worker in self.wrks:
                if worker.is_alive():
                    logger.warning(
                        f"Killing worker-{worker.idx + 1} after it refused to gracefully stop"
                    )
                    worker.kill()
                worker.join()
            self.wrks.clear()

    return BoundedStop
