"""The outbox: the delivery rows planned with each share, leased by workers and finished with their outcome.

Each share gets one delivery per channel: the recipient's inbox, each of its webhook endpoints, and an alert
(``deliveries_for``, written in the same transaction as the share). Workers lease due deliveries
(``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises the lease), so any
number of workers on any number of hosts can run; a worker killed mid-delivery leaves its lease to run out, and
another takes the delivery over. Failures retry with exponential backoff; after ``MAX_ATTEMPTS`` the delivery
is dead-lettered: visible on the share page and the stuck-deliveries page, and replayable (``replay``).

The channels that carry them are sharing/channels.py; one batch end to end is sharing/delivery.py; the process
that runs batches is worker/loop.py.
"""

import collections
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from prometheus_client import Counter

from openmash.database import Insert, rows_insert, write_transaction
from openmash.lib.ids import new_id
from openmash.lib.remembered import Remembered
from openmash.lib.requestid import request_id_current
from openmash.sharing.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus, Share, WebhookEndpoint

logger = logging.getLogger(__name__)

# Every delivery this process tried, by channel and outcome (delivered, failed and to be retried, dead): the
# worker's own metrics (worker/metrics.py serves them; docs/deployment.md).
DELIVERIES = Counter(
    "openmash_deliveries",
    "Deliveries tried by this worker, by channel and outcome (delivered, failed: to be retried, dead: given up)",
    ["channel", "outcome"],
)

WAKE_CHANNEL = "openmash_deliveries"
INBOX_CHANNEL = "openmash_inbox"
MAX_ATTEMPTS = 12


def lease_seconds() -> float:
    return float(getattr(settings, "DELIVERY_LEASE_SECONDS", 60))


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s, ... capped at one hour: about a day of trying before a delivery is dead-lettered."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


# Each organisation's active webhook endpoints, read for every event recorded and changed only by an
# administrator: remembered a few seconds per process. An endpoint added or switched off is used (or no
# longer used) for new shares within that time everywhere, and at once in the process that changed it.
_endpoints: Remembered[int, tuple[int, ...]] = Remembered(seconds=5.0)


def active_endpoints(organisation_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """The ids of each organisation's active webhook endpoints (oldest first)."""
    found, missing = _endpoints.get_many(organisation_ids)
    if missing:
        read: dict[int, list[int]] = {organisation_id: [] for organisation_id in missing}
        # Written out: the ORM's compiling cost more than the read.
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, organisation_id FROM sharing_webhookendpoint"  # noqa: S608 (no input in it)
                f" WHERE active AND organisation_id IN ({marks}) ORDER BY id",
                missing,
            )
            for endpoint_id, organisation_id in cursor.fetchall():
                read[organisation_id].append(endpoint_id)
        for organisation_id, ids in read.items():
            found[organisation_id] = tuple(ids)
            _endpoints.put(organisation_id, found[organisation_id])
    return found


def forget_endpoints(organisation_id: int | None = None) -> None:
    """Forget the remembered endpoints of one organisation, or of all."""
    if organisation_id is None:
        _endpoints.clear()
    else:
        _endpoints.forget(organisation_id)


@receiver([post_save, post_delete], sender=WebhookEndpoint)
def _forget_endpoints(sender: type[WebhookEndpoint], instance: WebhookEndpoint, **kwargs: Any) -> None:
    _endpoints.forget(instance.organisation_id)


class PlannedDelivery(NamedTuple):
    """One outbox row to write with its share: the columns named once, in the order they are inserted."""

    share_id: uuid.UUID
    channel: str
    endpoint_id: int | None
    message_id: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    leased_by: str
    last_error: str
    created_at: dt.datetime
    request_id: str


def deliveries_for(shares: Sequence[Share], now: dt.datetime, status: str = DeliveryStatus.PENDING) -> Insert:
    """The outbox rows for new shares, to write in the same transaction as their events: one per channel (the
    inbox, an alert, and each of the recipient's active webhook endpoints). An import's held shares' are
    written held, or as history that is never sent (``status``, recording.importing)."""
    endpoints = active_endpoints({share.recipient_id for share in shares})
    # Planned in the recording request's own thread (recording.services._plan), so this is its id.
    request_id = request_id_current()
    rows = []
    for share in shares:
        channels: list[tuple[str, int | None]] = [(Channel.INBOX, None), (Channel.ALERT, None)]
        channels += [(Channel.WEBHOOK, endpoint_id) for endpoint_id in endpoints.get(share.recipient_id, [])]
        rows += [
            PlannedDelivery(
                share_id=share.pk,
                channel=channel,
                endpoint_id=endpoint_id,
                message_id=f"msg_{new_id().hex}",
                status=status,
                attempts=0,
                next_attempt_at=now,
                leased_by="",
                last_error="",
                created_at=now,
                request_id=request_id,
            )
            for channel, endpoint_id in channels
        ]
    return rows_insert(Delivery, PlannedDelivery._fields, rows)


def wake_workers() -> None:
    """Tell listening workers there is work (PostgreSQL); SQLite workers poll."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


def _notify_inbox(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [INBOX_CHANNEL, str(organisation_id)])


@dataclass(frozen=True, order=True)
class Claimed:
    """A delivery leased to this worker: just what is needed to send it and record the outcome. The worker
    reads the full delivery only for what leaves the system (webhooks, GOV.UK Notify alerts)."""

    id: int
    share_id: uuid.UUID
    channel: str
    endpoint_id: int | None
    attempts: int
    message_id: str
    # The request that recorded the share, for the worker's log lines (lib/requestid.py).
    request_id: str = ""


# One statement leases a batch: the due deliveries, oldest first, webhooks in order per endpoint (one waits
# while an earlier one to the same endpoint is pending). Written out rather than built by the ORM because the
# worker runs it for every batch, and compiling the query cost more than running it.
_DUE = """
    FROM sharing_delivery AS d
    WHERE d.status = 'pending' AND d.next_attempt_at <= %s
      AND (d.lease_until IS NULL OR d.lease_until < %s)
      AND (d.endpoint_id IS NULL OR NOT EXISTS (
          SELECT 1 FROM sharing_delivery AS earlier
          WHERE earlier.endpoint_id = d.endpoint_id AND earlier.id < d.id AND earlier.status = 'pending'))
"""
_CLAIM = f"""
    UPDATE sharing_delivery SET lease_until = %s, leased_by = %s
    WHERE id IN (SELECT d.id {_DUE} ORDER BY d.id LIMIT %s {{lock}})
    RETURNING id, share_id, channel, endpoint_id, attempts, message_id, request_id
"""  # noqa: S608 (no input in it)


def anything_due(now: dt.datetime) -> bool:
    """SQLite: every transaction takes the database's one write lock at BEGIN, so the worker looks first with
    a plain read and only locks when there is work; an idle worker polling must not queue the app's writes."""
    if connection.vendor != "sqlite":
        return True
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 {_DUE} LIMIT 1", [at, at])
        return cursor.fetchone() is not None


def lease(worker_id: str, limit: int, now: dt.datetime) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to this worker, in the caller's transaction."""
    at = connection.ops.adapt_datetimefield_value(now)
    until = connection.ops.adapt_datetimefield_value(now + dt.timedelta(seconds=lease_seconds()))
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM.format(lock=lock), [until, worker_id, at, at, limit])
        rows = cursor.fetchall()
    return sorted(
        Claimed(id, _uuid(share_id), channel, endpoint_id, attempts, message_id, request_id)
        for id, share_id, channel, endpoint_id, attempts, message_id, request_id in rows
    )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def finish(outcomes: Sequence[tuple[Claimed, bool, str]], *, worker_id: str) -> None:
    """Record outcomes in a transaction of their own (one write-lock turn on SQLite)."""
    with write_transaction():
        record_outcomes(outcomes, worker_id=worker_id)


# Written out, as _CLAIM is: the worker runs them for every batch, and the ORM's compiling of a long list of
# ids cost more than running them. A share arrives once: only the first delivery to its inbox stamps it.
_DELIVERED = (
    "UPDATE sharing_delivery SET status = 'delivered', delivered_at = %s, lease_until = NULL, last_error = ''"
    " WHERE leased_by = %s AND status = 'pending' AND id IN ({marks})"
)
_ARRIVED = (
    "UPDATE sharing_share SET delivered_at = %s WHERE delivered_at IS NULL AND id IN ({marks})"
    " RETURNING recipient_id"
)


def record_outcomes(outcomes: Sequence[tuple[Claimed, bool, str]], *, worker_id: str) -> None:
    """Record the attempts and their outcomes, in the caller's transaction."""
    if not outcomes:
        return
    now = timezone.now()
    attempts = rows_insert(
        DeliveryAttempt,
        ("delivery_id", "at", "succeeded", "detail"),
        [(claimed.id, now, succeeded, detail[:500]) for claimed, succeeded, detail in outcomes],
    )
    delivered = [claimed.id for claimed, succeeded, _detail in outcomes if succeeded]
    inbox = [
        claimed.share_id
        for claimed, succeeded, _detail in outcomes
        if succeeded and claimed.channel == Channel.INBOX
    ]
    attempts.run()
    at = connection.ops.adapt_datetimefield_value(now)
    # Only the worker holding the lease may finish it: a late worker whose lease ran out changes nothing.
    mine = Delivery.objects.filter(leased_by=worker_id, status=DeliveryStatus.PENDING)
    if delivered:
        with connection.cursor() as cursor:
            cursor.execute(
                _DELIVERED.format(marks=", ".join(["%s"] * len(delivered))), [at, worker_id, *delivered]
            )
    for claimed, succeeded, detail in outcomes:
        if succeeded:
            continue
        tries = claimed.attempts + 1
        dead = tries >= MAX_ATTEMPTS
        mine.filter(pk=claimed.id).update(
            attempts=tries,
            last_error=detail[:2000],
            lease_until=None,
            next_attempt_at=now + backoff(tries),
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
            dead_at=now if dead else None,
        )
    tried = [(claimed, _outcome(claimed, succeeded)) for claimed, succeeded, _detail in outcomes]
    # Counted by kind first: a few counter updates a batch, not one a delivery.
    for (channel, outcome), count in collections.Counter(
        (c.channel, outcome) for c, outcome in tried
    ).items():
        DELIVERIES.labels(channel, outcome).inc(count)
    if logger.isEnabledFor(logging.INFO):
        _log_outcomes(tried)
    if inbox:
        share_ids = [Share._meta.pk.get_db_prep_value(share_id, connection) for share_id in inbox]  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(_ARRIVED.format(marks=", ".join(["%s"] * len(share_ids))), [at, *share_ids])
            recipients = sorted({recipient_id for (recipient_id,) in cursor.fetchall()})
        for organisation_id in recipients:
            _notify_inbox(organisation_id)


def _outcome(claimed: Claimed, succeeded: bool) -> str:
    if succeeded:
        return "delivered"
    return "dead" if claimed.attempts + 1 >= MAX_ATTEMPTS else "failed"


def _log_outcomes(tried: Sequence[tuple[Claimed, str]]) -> None:
    """A log line for the deliveries of each request's shares tried in this batch, with that request's id
    (one line a request, not a delivery: writing a JSON line costs about as much CPU as delivering to an
    inbox). Ids, channels and outcomes only: never anything about the child (no share content is read)."""
    by_request: dict[str, list[dict[str, Any]]] = {}
    for claimed, outcome in tried:
        by_request.setdefault(claimed.request_id, []).append(
            {
                "delivery_id": claimed.id,
                "share_id": str(claimed.share_id),
                "channel": claimed.channel,
                "outcome": outcome,
                "attempt": claimed.attempts + 1,
            }
        )
    for request_id, deliveries in by_request.items():
        counted = collections.Counter(f"{one['channel']} {one['outcome']}" for one in deliveries)
        logger.info(
            "Deliveries tried: %s",
            ", ".join(f"{what} {count}" for what, count in sorted(counted.items())),
            extra={"request_id": request_id, "deliveries": deliveries},
        )


def replay(delivery: Delivery) -> Delivery:
    """Put a dead-lettered delivery back in the queue (same message id, attempts from zero)."""
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        dead_at=None,
        lease_until=None,
    )
    transaction.on_commit(wake_workers)
    delivery.refresh_from_db()
    return delivery
