"""Delivering shares: the outbox written with the event, and the worker that empties it.

Each share gets one delivery per channel: the recipient's inbox, each of its webhook endpoints, and an alert.
Workers claim due deliveries with a lease (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises the claim), so any number of workers on any number of hosts can run. A worker
killed mid-delivery leaves its lease to run out, and another worker takes the delivery over:

- inbox: marking the share delivered is idempotent, so the inbox gets it exactly once;
- webhook: at least once, always with the same ``webhook-id``, and in order per endpoint (a later delivery
  waits while an earlier one to the same endpoint is still pending);
- alert: GOV.UK Notify where the organisation has a key; otherwise the alert is logged.

Failures retry with exponential backoff; after ``MAX_ATTEMPTS`` the delivery is dead-lettered: visible on the
share page and the stuck-deliveries page, and replayable.
"""

import datetime as dt
import ipaddress
import json
import logging
import os
import select
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from openmash.database import Insert, rows_insert, write_transaction
from openmash.events.models import EventKind
from openmash.lib.govuk import govuk_datetime
from openmash.lib.ids import new_id
from openmash.lib.remembered import Remembered
from openmash.sharing.content import share_content
from openmash.sharing.models import (
    AlertSetting,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Share,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

WAKE_CHANNEL = "openmash_deliveries"
INBOX_CHANNEL = "openmash_inbox"
MAX_ATTEMPTS = 12
WEBHOOK_TIMEOUT = 10.0
# How often an idle worker on SQLite checks whether another process has committed.
SQLITE_CHECK_SECONDS = 0.003
# Deliveries leased at once, and how long a busy worker lets the next batch gather (see run_worker).
BATCH_SIZE = 200
GATHER_SECONDS_EACH = 0.001
GATHER_SECONDS_MOST = 0.05


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


def deliveries_for(shares: Sequence[Share], now: dt.datetime) -> Insert:
    """The outbox rows for new shares, to write in the same transaction as their events: one per channel (the
    inbox, an alert, and each of the recipient's active webhook endpoints)."""
    endpoints = active_endpoints({share.recipient_id for share in shares})
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
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                leased_by="",
                last_error="",
                created_at=now,
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
    RETURNING id, share_id, channel, endpoint_id, attempts, message_id
"""  # noqa: S608 (no input in it)


def _anything_due(now: dt.datetime) -> bool:
    """SQLite: every transaction takes the database's one write lock at BEGIN, so the worker looks first with
    a plain read and only locks when there is work; an idle worker polling must not queue the app's writes."""
    if connection.vendor != "sqlite":
        return True
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 {_DUE} LIMIT 1", [at, at])
        return cursor.fetchone() is not None


def _lease(worker_id: str, limit: int, now: dt.datetime) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to this worker, in the caller's transaction."""
    at = connection.ops.adapt_datetimefield_value(now)
    until = connection.ops.adapt_datetimefield_value(now + dt.timedelta(seconds=lease_seconds()))
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM.format(lock=lock), [until, worker_id, at, at, limit])
        rows = cursor.fetchall()
    return sorted(
        Claimed(id, _uuid(share_id), channel, endpoint_id, attempts, message_id)
        for id, share_id, channel, endpoint_id, attempts, message_id in rows
    )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _finish(outcomes: Sequence[tuple[Claimed, bool, str]], *, worker_id: str) -> None:
    """Record outcomes in a transaction of their own (one write-lock turn on SQLite)."""
    with write_transaction():
        _record(outcomes, worker_id=worker_id)


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


def _record(outcomes: Sequence[tuple[Claimed, bool, str]], *, worker_id: str) -> None:
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
    if inbox:
        share_ids = [Share._meta.pk.get_db_prep_value(share_id, connection) for share_id in inbox]  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(_ARRIVED.format(marks=", ".join(["%s"] * len(share_ids))), [at, *share_ids])
            recipients = sorted({recipient_id for (recipient_id,) in cursor.fetchall()})
        for organisation_id in recipients:
            _notify_inbox(organisation_id)


def webhook_payload(share: Share) -> dict:
    """What the recipient's own system receives: the share as its inbox would show it."""
    return {
        "type": "share.created",
        "timestamp": timezone.now().isoformat(),
        "data": share_content(share),
    }


@dataclass(frozen=True)
class Sent:
    """What became of one signed message: the receiver's HTTP status, or the error that stopped it."""

    status_code: int | None
    error: httpx.HTTPError | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        return f"HTTP {self.status_code}"


class AddressNotAllowed(httpx.HTTPError):
    """The endpoint's host is on a network deliveries may not reach."""


def address_not_allowed(url: str) -> str | None:
    """Why a message may not go to ``url``'s host, or None. A webhook is sent by the service from inside the
    organisation's network, so an endpoint that resolves to a private, loopback or link-local address could
    make it reach internal systems (including a cloud's metadata service): only public addresses, and the
    private networks an operator lists in OPENMASH_WEBHOOK_PRIVATE_NETWORKS (an agency's own network), are
    reached. Loopback only where plain http to this machine is allowed (debugging, the test suite)."""
    host = urlsplit(url).hostname or ""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return None  # not resolvable: sending fails with its own plain error
    for *_family, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address.is_global:
            continue
        if address.is_loopback and settings.WEBHOOK_HTTP_LOOPBACK:
            continue
        if any(address in network for network in settings.WEBHOOK_PRIVATE_NETWORKS):
            continue
        return f"{host} is at {address}, on a network webhooks may not reach"
    return None


def webhook_send(*, url: str, secret: str, message_id: str, body: str) -> Sent:
    """POST one message signed with Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).
    Redirects are not followed: the endpoint is the URL its organisation registered, nowhere else; nor is a
    host on a private network (``address_not_allowed``)."""
    if (refused := address_not_allowed(url)) is not None:
        return Sent(status_code=None, error=AddressNotAllowed(refused))
    sent_at = dt.datetime.now(tz=dt.UTC)
    signature = Webhook(secret).sign(message_id, sent_at, body)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=WEBHOOK_TIMEOUT)
    except httpx.HTTPError as error:
        return Sent(status_code=None, error=error)
    return Sent(status_code=response.status_code)


def _send_webhook(delivery: Delivery) -> tuple[bool, str]:
    endpoint = delivery.endpoint
    assert endpoint is not None
    body = json.dumps(webhook_payload(delivery.share), default=str)
    sent = webhook_send(url=endpoint.url, secret=endpoint.secret, message_id=delivery.message_id, body=body)
    return sent.ok, sent.outcome


@dataclass(frozen=True)
class AlertFacts:
    """What an alert says and to whom, read for a whole batch at once."""

    recipient_id: int
    recipient_code: str
    kind: str
    due_at: dt.datetime | None
    named_email: str | None


def _alert_facts(batch: Sequence[Claimed]) -> dict[uuid.UUID, AlertFacts]:
    rows = Share.objects.filter(pk__in=[claimed.share_id for claimed in batch]).values_list(
        "pk", "recipient_id", "recipient__code", "event__kind", "due_at", "named_recipient__email"
    )
    return {
        pk: AlertFacts(recipient_id, code, kind, due_at, email)
        for pk, recipient_id, code, kind, due_at, email in rows
    }


def _alert_message(facts: AlertFacts) -> str:
    # No personal data in alerts: they say where to look and by when, nothing about the child.
    due = govuk_datetime(facts.due_at) if facts.due_at else "no deadline"
    return f"New {EventKind(facts.kind).label.lower()} in your OpenMASH inbox (due {due})"


def _log_alert(facts: AlertFacts) -> tuple[bool, str]:
    if logger.isEnabledFor(logging.INFO):  # the message is worth making only if it is written
        logger.info(
            "Alert for %s (no GOV.UK Notify key, logged only): %s",
            facts.recipient_code,
            _alert_message(facts),
        )
    return True, "logged: no GOV.UK Notify key configured"


def _send_by_notify(claimed: Claimed, facts: AlertFacts, setting: AlertSetting) -> tuple[bool, str]:
    from notifications_python_client.errors import HTTPError as NotifyError
    from notifications_python_client.notifications import NotificationsAPIClient

    options = {"base_url": setting.notify_base_url} if setting.notify_base_url else {}
    client = NotificationsAPIClient(setting.notify_api_key, **options)
    addresses = [line.strip() for line in setting.email_addresses.splitlines() if line.strip()]
    if facts.named_email:
        addresses.append(facts.named_email)
    try:
        for address in addresses:
            client.send_email_notification(
                email_address=address,
                template_id=setting.email_template_id,
                personalisation={"message": _alert_message(facts), "share_id": str(claimed.share_id)},
                reference=claimed.message_id,
            )
    except (NotifyError, OSError) as error:
        return False, f"GOV.UK Notify: {error}"
    return True, f"sent by GOV.UK Notify to {len(addresses)} address(es)"


def _failed(claimed: Claimed, error: Exception) -> tuple[Claimed, bool, str]:
    # One broken delivery must not stop the others: it is retried, and visible until it succeeds.
    logger.exception("Delivery %s failed", claimed.id)
    return claimed, False, f"{type(error).__name__}: {error}"


type Outcome = tuple[Claimed, bool, str]
type ByNotify = tuple[Claimed, AlertFacts, AlertSetting]


def _deliver_here(batch: Sequence[Claimed]) -> tuple[list[Outcome], list[ByNotify]]:
    """The outcomes of a batch's inbox deliveries and logged alerts, and the alerts still to send by GOV.UK
    Notify. The inbox is the share itself, so delivering to it is recording that it arrived; alerts read
    their shares and the recipients' Notify settings once for the whole batch."""
    alerts = [claimed for claimed in batch if claimed.channel == Channel.ALERT]
    facts = _alert_facts(alerts) if alerts else {}
    recipients = {fact.recipient_id for fact in facts.values()}
    notify = {
        setting.organisation_id: setting
        for setting in AlertSetting.objects.filter(organisation_id__in=recipients).exclude(notify_api_key="")
    }
    outcomes: list[Outcome] = []
    by_notify: list[ByNotify] = []
    for claimed in batch:
        if claimed.channel == Channel.INBOX:
            outcomes.append((claimed, True, "in the recipient's inbox"))
            continue
        try:
            fact = facts[claimed.share_id]
            setting = notify.get(fact.recipient_id)
            if setting is None:
                outcomes.append((claimed, *_log_alert(fact)))
            else:
                by_notify.append((claimed, fact, setting))
        except Exception as error:
            outcomes.append(_failed(claimed, error))
    return outcomes, by_notify


def _deliver_webhook(claimed: Claimed, worker_id: str) -> None:
    """Send one webhook and record its outcome at once: it went to another system."""
    try:
        delivery = Delivery.objects.select_related("share__event", "endpoint").get(pk=claimed.id)
        outcome = (claimed, *_send_webhook(delivery))
    except Exception as error:
        outcome = _failed(claimed, error)
    _finish([outcome], worker_id=worker_id)


def run_once(worker_id: str, limit: int = BATCH_SIZE) -> int:
    """Claim and deliver one batch; the number delivered or tried.

    Inbox deliveries and logged alerts are claimed and finished in one transaction: nothing leaves the system
    for them. Webhooks and GOV.UK Notify alerts are leased in that transaction and sent after it, each
    finished as soon as it is sent (it went to another system, so its outcome is recorded before anything
    else)."""
    now = timezone.now()
    if not _anything_due(now):
        return 0
    with write_transaction():
        batch = _lease(worker_id, limit, now)
        outcomes, by_notify = _deliver_here(
            [claimed for claimed in batch if claimed.channel != Channel.WEBHOOK]
        )
        _record(outcomes, worker_id=worker_id)
    for claimed, fact, setting in by_notify:
        try:
            outcome = (claimed, *_send_by_notify(claimed, fact, setting))
        except Exception as error:
            outcome = _failed(claimed, error)
        _finish([outcome], worker_id=worker_id)
    for claimed in batch:
        if claimed.channel == Channel.WEBHOOK:
            _deliver_webhook(claimed, worker_id)
    return len(batch)


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


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Waiter:
    """Sleeps until there may be work: a PostgreSQL NOTIFY, or a short poll on SQLite."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self._listening_on: object = None
        self._woken = False

    def _on_notify(self, _notification: object) -> None:
        self._woken = True

    def wait(self) -> None:
        if connection.vendor == "sqlite":
            self._wait_sqlite()
            return
        if connection.vendor != "postgresql":
            time.sleep(self.poll_seconds)
            return
        connection.ensure_connection()
        raw = connection.connection
        if self._listening_on is not raw:  # first time, or the connection was replaced
            # Notifications that arrive during other queries reach the handler, so none is missed.
            raw.add_notify_handler(self._on_notify)
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {WAKE_CHANNEL}")
            self._listening_on = raw
        if not self._woken:
            # Wait on the socket; retries and deadlines still come round every second at most.
            select.select([raw.fileno()], [], [], max(self.poll_seconds, 1.0))
            for _notification in raw.notifies(timeout=0, stop_after=1000):
                pass
        self._woken = False

    def _wait_sqlite(self) -> None:
        """Until another connection commits (PRAGMA data_version changes) or the poll interval ends. A few
        microseconds a check, so a share recorded by the app is picked up within milliseconds."""
        deadline = time.monotonic() + self.poll_seconds
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            seen = cursor.fetchone()[0]
            while time.monotonic() < deadline:
                time.sleep(SQLITE_CHECK_SECONDS)
                cursor.execute("PRAGMA data_version")
                if cursor.fetchone()[0] != seen:
                    return


def _audit_checkpoint(me: str) -> None:
    """Sign and append the audit chain's head if it moved (docs/decisions/0011). Several workers may append
    the same checkpoint, which does no harm; a checkpoint file that cannot be written is logged and does not
    stop deliveries."""
    from openmash.audit.services import audit_checkpoint

    try:
        audit_checkpoint()
    except OSError:
        logger.exception("Delivery worker %s: could not append to the audit checkpoint file", me)


def run_worker(
    *, poll_seconds: float = 0.05, stop: Callable[[], bool] = lambda: False, batch: bool = False
) -> None:
    """The worker loop: deliver what is due, escalate what is overdue, wait for more."""
    from openmash.clocks.services import clocks_sweep_breaches
    from openmash.sharing.services import escalate_overdue

    me = worker_id()
    waiter = Waiter(poll_seconds)
    logger.info("Delivery worker %s started", me)
    last_sweep = last_checkpoint = -float("inf")
    while not stop():
        try:
            done = run_once(me, BATCH_SIZE)
            if time.monotonic() - last_sweep > 15:
                escalate_overdue()
                clocks_sweep_breaches()
                last_sweep = time.monotonic()
            if time.monotonic() - last_checkpoint > settings.AUDIT_CHECKPOINT_SECONDS:
                _audit_checkpoint(me)
                last_checkpoint = time.monotonic()
        except DatabaseError:
            # A busy or unreachable database must not end the worker: what it was doing stays leased or
            # pending and is picked up again once the lease runs out.
            logger.exception("Delivery worker %s: database error; retrying in a second", me)
            connection.close()
            time.sleep(1)
            continue
        if batch and done == 0:
            return
        if done == 0:
            waiter.wait()
        elif done < BATCH_SIZE and not batch:
            # Let the next batch gather for a moment, the longer the busier: a millisecond for each delivery
            # just made, at most 50 ms. Under load one worker transaction then carries many deliveries
            # instead of a few for every commit of the app (and on SQLite each commit costs every other
            # connection its page cache); at a few incidents a second a share still waits only milliseconds.
            time.sleep(min(GATHER_SECONDS_MOST, GATHER_SECONDS_EACH * done))
