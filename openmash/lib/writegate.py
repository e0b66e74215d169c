"""One writer at a time across the processes of one machine, for an embedded SQLite database.

SQLite has one write lock. A writer that finds it taken sleeps in SQLite's busy handler (1, 2, 5, 10 ... then
100 ms at a time) and tries again; under steady load the lock is almost always retaken by someone who did not
sleep, so a waiter can starve for seconds while the lock is free most of its sleep. Queueing the writers
here instead, on a thread lock within a process and ``flock`` between processes (the kernel wakes a waiter
the moment the lock is released), lets each transaction start as soon as the one before it ends.
"""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriteGate:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # opened once per process, also after a fork
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            self._depth += 1
            try:
                if self._depth == 1:
                    fcntl.flock(self._file(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    if self._depth == 1:
                        fcntl.flock(self._file(), fcntl.LOCK_UN)
            finally:
                self._depth -= 1
