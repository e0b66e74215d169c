"""Waking live inbox streams when a share arrives.

On PostgreSQL one listener per server process holds ``LISTEN openmash_inbox`` and wakes the streams of the
organisation named in each NOTIFY, so any app process can serve any browser. On SQLite (one machine) streams
poll every 100 ms.
"""

import asyncio
import logging

import psycopg
from django.db import connection

from openmash.sharing.delivery import INBOX_CHANNEL

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


class InboxSubscription:
    """Subscribe before reading the inbox, so a share that arrives between the read and the wait still wakes
    the stream."""

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self.event: asyncio.Event | None = None

    async def __aenter__(self) -> "InboxSubscription":
        if connection.vendor == "postgresql":
            self.event = _listener.subscribe(self.organisation_id)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.event is not None:
            _listener.unsubscribe(self.organisation_id, self.event)

    async def wait(self, timeout: float) -> bool:
        """Until a share may have arrived (True) or the timeout (False). SQLite: a 100 ms poll."""
        if self.event is None:
            await asyncio.sleep(0.1)
            return True
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True
