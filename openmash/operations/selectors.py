"""What the readiness check and the metrics read: small queries each, on indexes, so that a load balancer
probing every few seconds and Prometheus scraping every 15 seconds cost the database little
(docs/deployment.md lists each figure and what it is read from)."""

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Min, Sum
from django.utils import timezone

from openmash.audit.models import AuditChainHead
from openmash.clocks.models import Clock
from openmash.sharing.models import Delivery, DeliveryStatus, Escalation, Share
from openmash.worker.heartbeat import heartbeat_latest


def backlog_at_least(most: int) -> int:
    """The deliveries waiting, counted up to ``most`` (no further: enough to say whether it is too many)."""
    return Delivery.objects.filter(status=DeliveryStatus.PENDING).values("pk")[:most].count()


def worker_silence(now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long since any worker last beat, or None if none ever has."""
    latest = heartbeat_latest()
    if latest is None:
        return None
    return (now or timezone.now()) - latest


@dataclass(frozen=True)
class Figures:
    """What the metrics collector reports, read at scrape time."""

    # (channel, status) -> deliveries waiting (pending) or given up (dead); both few, on the status index.
    stuck_or_waiting: dict[tuple[str, str], int]
    backlog_oldest: dt.timedelta | None  # the oldest waiting delivery's age
    overdue_clocks: dict[str, int]  # rule -> open clocks past their due time
    overdue_shares: int  # unacknowledged shares past their deadline
    escalations: dict[int, int]  # level -> escalations raised
    audit_chain_length: int
    sign_in_failures: int  # failures axes holds (reset by a success or when the lockout ends)
    locked_out: int  # accounts at or over the failure limit
    worker_silence: dt.timedelta | None


def figures(now: dt.datetime | None = None) -> Figures:
    now = now or timezone.now()
    # Not every delivery by what became of it: that reads the whole table (over a second at a million rows
    # on SQLite). The worker counts what it delivers instead (sharing.outbox.DELIVERIES, worker/metrics.py).
    stuck_or_waiting = {
        (row["channel"], row["status"]): row["n"]
        for row in Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])
        .order_by()
        .values("channel", "status")
        .annotate(n=Count("pk"))
    }
    oldest = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .order_by()
        .aggregate(oldest=Min("created_at"))["oldest"]
    )
    overdue_clocks = {
        row["rule"]: row["n"]
        for row in Clock.objects.filter(stopped_at__isnull=True, due_at__lt=now)
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
    }
    overdue_shares = Share.objects.filter(acknowledged_at__isnull=True, due_at__lt=now).count()
    escalations = {
        row["level"]: row["n"]
        for row in Escalation.objects.order_by().values("level").annotate(n=Count("pk"))
    }
    head = AuditChainHead.objects.filter(pk=1).values_list("last_sequence", flat=True).first()
    attempts = AccessAttempt.objects.aggregate(failures=Sum("failures_since_start"))
    locked = (
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .values("username")
        .distinct()
        .count()
    )
    return Figures(
        stuck_or_waiting=stuck_or_waiting,
        backlog_oldest=now - oldest if oldest is not None else None,
        overdue_clocks=overdue_clocks,
        overdue_shares=overdue_shares,
        escalations=escalations,
        audit_chain_length=head or 0,
        sign_in_failures=attempts["failures"] or 0,
        locked_out=locked,
        worker_silence=worker_silence(now),
    )
