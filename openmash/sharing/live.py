"""Waking live inbox streams when a share arrives.

On PostgreSQL one listener per server process holds ``LISTEN openmash_inbox`` and wakes the streams of the
organisation named in each NOTIFY, so any app process can serve any browser. On SQLite (one machine) one
watcher thread per server process checks every few milliseconds whether another connection has committed
(``PRAGMA data_version``, a few microseconds) and, only then, which subscribed organisations' inboxes changed,
and wakes those streams.
"""

import asyncio
import datetime as dt
import logging
import threading
import time

import psycopg
from django.db import connection

from openmash.sharing.models import Share
from openmash.sharing.outbox import INBOX_CHANNEL

logger = logging.getLogger(__name__)


class _Listener:
    def __init__(self) -> None:
        self.waiters: dict[int, set[asyncio.Event]] = {}
        self.task: asyncio.Task | None = None

    async def _run(self) -> None:
        settings = connection.settings_dict
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=settings["NAME"],
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            host=settings.get("HOST") or None,
            port=str(settings.get("PORT") or "") or None,
        )
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as listener:
                    await listener.execute(f"LISTEN {INBOX_CHANNEL}")
                    self._wake_all()  # anything sent while (re)connecting is picked up by a re-read
                    async for notification in listener.notifies():
                        self._wake(int(notification.payload or 0))
            except (psycopg.Error, OSError, ValueError):
                logger.exception("Inbox listener lost its connection; reconnecting")
                await asyncio.sleep(1)

    def _wake(self, organisation_id: int) -> None:
        for event in self.waiters.get(organisation_id, ()):
            event.set()

    def _wake_all(self) -> None:
        for events in self.waiters.values():
            for event in events:
                event.set()

    def subscribe(self, organisation_id: int) -> asyncio.Event:
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        event = asyncio.Event()
        self.waiters.setdefault(organisation_id, set()).add(event)
        return event

    def unsubscribe(self, organisation_id: int, event: asyncio.Event) -> None:
        self.waiters.get(organisation_id, set()).discard(event)


_listener = _Listener()


class _SQLiteWatcher:
    """Wakes the streams of organisations whose inbox gained a share, from one thread per process."""

    CHECK_SECONDS = 0.005
    # Shares count as new while delivered within this window, so one committed a little after the time it
    # records is still seen; far longer than a write transaction may wait for the lock.
    WINDOW = dt.timedelta(seconds=30)

    def __init__(self) -> None:
        self.waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def subscribe(self, organisation_id: int) -> asyncio.Event:
        event = asyncio.Event()
        with self.lock:
            self.waiters.setdefault(organisation_id, set()).add((asyncio.get_running_loop(), event))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="inbox-watcher", daemon=True)
                self.thread.start()
        return event

    def unsubscribe(self, organisation_id: int, event: asyncio.Event) -> None:
        with self.lock:
            for waiter in [w for w in self.waiters.get(organisation_id, ()) if w[1] is event]:
                self.waiters[organisation_id].discard(waiter)

    def _wake(self, organisation_ids: set[int]) -> None:
        with self.lock:
            waiters = [w for org in organisation_ids for w in self.waiters.get(org, ())]
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        from django.db import connection as thread_connection
        from django.db.models import Count, Max
        from django.utils import timezone

        seen: dict[int, tuple[int, object]] = {}
        version = None
        while True:
            try:
                with thread_connection.cursor() as cursor:
                    cursor.execute("PRAGMA data_version")
                    current = cursor.fetchone()[0]
                if current != version:
                    version = current
                    with self.lock:
                        organisations = [org for org, waiters in self.waiters.items() if waiters]
                    rows = (
                        Share.objects.filter(
                            recipient_id__in=organisations,
                            delivered_at__gte=timezone.now() - self.WINDOW,
                        )
                        .order_by()
                        .values("recipient_id")
                        .annotate(count=Count("id"), last=Max("delivered_at"))
                    )
                    now_seen = {row["recipient_id"]: (row["count"], row["last"]) for row in rows}
                    changed = {org for org, mark in now_seen.items() if seen.get(org) != mark}
                    seen = now_seen
                    if changed:
                        self._wake(changed)
            except Exception:  # the watcher must outlive a locked or briefly missing database
                logger.exception("Inbox watcher failed; retrying in a second")
                thread_connection.close()
                time.sleep(1)
            time.sleep(self.CHECK_SECONDS)


_watcher = _SQLiteWatcher()


class InboxSubscription:
    """Subscribe before reading the inbox, so a share that arrives between the read and the wait still wakes
    the stream."""

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self.event: asyncio.Event | None = None

    async def __aenter__(self) -> "InboxSubscription":
        if connection.vendor == "postgresql":
            self.event = _listener.subscribe(self.organisation_id)
        elif connection.vendor == "sqlite":
            self.event = _watcher.subscribe(self.organisation_id)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.event is not None:
            hub = _listener if connection.vendor == "postgresql" else _watcher
            hub.unsubscribe(self.organisation_id, self.event)

    async def wait(self, timeout: float) -> bool:
        """Until a share may have arrived (True) or the timeout (False)."""
        if self.event is None:
            await asyncio.sleep(0.1)
            return True
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True
