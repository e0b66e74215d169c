"""Reads of shares: inboxes, one share with its timeline, the sender's submissions, stuck deliveries."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventSubject
from openmash.lib.errors import NotFound
from openmash.sharing.models import Content, Delivery, DeliveryAttempt, DeliveryStatus, Share, WebhookEndpoint

DUE_SOON = dt.timedelta(hours=4)


class DeadlineStatus:
    OVERDUE = "overdue"
    DUE_SOON = "due-soon"
    ON_TIME = "on-time"
    NO_DEADLINE = "no-deadline"
    ACKNOWLEDGED = "acknowledged"
    LABELS = {
        OVERDUE: "Overdue",
        DUE_SOON: "Due within 4 hours",
        ON_TIME: "Not yet due",
        NO_DEADLINE: "No deadline",
        ACKNOWLEDGED: "Acknowledged",
    }


def deadline_condition(status: str, now: dt.datetime) -> Q:
    open_ = Q(acknowledged_at__isnull=True)
    return {
        DeadlineStatus.OVERDUE: open_ & Q(due_at__lt=now),
        DeadlineStatus.DUE_SOON: open_ & Q(due_at__gte=now, due_at__lt=now + DUE_SOON),
        DeadlineStatus.ON_TIME: open_ & Q(due_at__gte=now + DUE_SOON),
        DeadlineStatus.NO_DEADLINE: open_ & Q(due_at__isnull=True),
        DeadlineStatus.ACKNOWLEDGED: Q(acknowledged_at__isnull=False),
    }[status]


def deadline_status(share: Share, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if share.acknowledged_at is not None:
        return DeadlineStatus.ACKNOWLEDGED
    if share.due_at is None:
        return DeadlineStatus.NO_DEADLINE
    if share.due_at < now:
        return DeadlineStatus.OVERDUE
    return DeadlineStatus.DUE_SOON if share.due_at < now + DUE_SOON else DeadlineStatus.ON_TIME


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    kind: str = ""


def _inbox_shares(actor: Actor) -> QuerySet[Share]:
    if actor.organisation is None:
        return Share.objects.none()
    from openmash.access.policy import VETTING_EVENT_KINDS, vetting_only, works_cases

    if not works_cases(actor):
        return Share.objects.none()
    shares = Share.objects.filter(recipient=actor.organisation, delivered_at__isnull=False)
    if vetting_only(actor):
        shares = shares.filter(event__kind__in=VETTING_EVENT_KINDS)
    return shares


def inbox(*, actor: Actor, filters: InboxFilters, limit: int = 200) -> list[Share]:
    """The actor's inbox, newest work first. Reading it is audited: it lists children's names and details."""
    shares = _inbox_shares(actor)
    if filters.status in DeadlineStatus.LABELS:
        shares = shares.filter(deadline_condition(filters.status, timezone.now()))
    if filters.kind:
        shares = shares.filter(event__kind=filters.kind)
    listed = list(
        shares.select_related("event__recorded_by")
        .prefetch_related("people")
        .order_by("acknowledged_at", "due_at", "-shared_at")[:limit]
    )
    if listed:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="inbox",
                reason="read the inbox",
                detail={
                    "status": filters.status,
                    "kind": filters.kind,
                    "shares": [str(share.pk) for share in listed],
                    "people": sorted({str(person.pk) for share in listed for person in share.people.all()}),
                },
            )
    return listed


def inbox_counts(*, actor: Actor) -> dict[str, int]:
    now = timezone.now()
    aggregates = {
        status: Count("id", filter=deadline_condition(status, now)) for status in DeadlineStatus.LABELS
    }
    return _inbox_shares(actor).aggregate(**aggregates)


def inbox_delivered_since(*, actor: Actor, since: dt.datetime) -> list[Share]:
    """Shares that reached the inbox at or after ``since`` (the live stream's cursor)."""
    return list(_inbox_shares(actor).filter(delivered_at__gte=since).order_by("delivered_at", "id"))


def _person_summary(subject: EventSubject | None, person: Any, encompass: bool) -> dict[str, Any]:
    details = dict(subject.details) if subject is not None else {}
    summary: dict[str, Any] = {
        "id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "role": subject.role if subject is not None else "child",
        "present": details.get("present"),
        "saw_heard": details.get("saw_heard", ""),
        "child_words": details.get("child_words", ""),
    }
    if not encompass:
        summary["school_urn"] = details.get("school_urn", "")
        summary["home_educated"] = bool(details.get("home_educated"))
    return summary


def share_content(share: Share) -> dict[str, Any]:
    """What the recipient may read. An Operation Encompass notice carries only what a school needs: the
    child, the police reference, when and where, whether present, what they saw or heard, their words and the
    circumstances; no adults, no risk grading, no other children."""
    event = share.event
    encompass = share.content == Content.ENCOMPASS
    subjects = {subject.person_id: subject for subject in event.subjects.all()}
    people = list(share.people.all())
    content: dict[str, Any] = {
        "share_id": str(share.pk),
        "kind": event.kind,
        "reference": event.reference,
        "recorded_by": event.recorded_by.name,
        "occurred_at": event.occurred_at.isoformat(),
        "location": event.location,
        "summary": event.summary,
        "due_at": share.due_at.isoformat() if share.due_at else None,
        "children": [
            _person_summary(subjects.get(person.pk), person, encompass)
            for person in people
            if subjects.get(person.pk) is None or subjects[person.pk].role == "child"
        ],
    }
    if encompass:
        return content
    content.update(
        {
            "reported_at": event.reported_at.isoformat() if event.reported_at else None,
            "postcode": event.postcode,
            "risk_level": event.risk_level,
            "details": event.details,
            "route": share.route,
            "adults": [
                _person_summary(subjects.get(person.pk), person, False)
                for person in people
                if subjects.get(person.pk) is not None and subjects[person.pk].role == "adult"
            ],
        }
    )
    return content


@dataclass(frozen=True)
class OpenedShare:
    share: Share
    is_recipient: bool
    content: dict[str, Any]


def share_open(*, actor: Actor, share_id: uuid.UUID | str) -> OpenedShare:
    """A share for its recipient, or for the organisation that sent it (to see the outcome)."""
    from openmash.access.policy import VETTING_EVENT_KINDS, vetting_only, works_cases
    from openmash.sharing.services import share_mark_read

    if actor.organisation is None or not works_cases(actor):
        raise NotFound("No such share")
    vetting = Q(event__kind__in=VETTING_EVENT_KINDS) if vetting_only(actor) else Q()
    try:
        pk = uuid.UUID(str(share_id))
    except ValueError as error:
        raise NotFound("No such share") from error
    share = (
        Share.objects.select_related("event__recorded_by", "recipient")
        .prefetch_related(
            "people",
            "event__subjects",
            "escalations__to_organisation",
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.prefetch_related("attempt_log").select_related("endpoint"),
            ),
        )
        .filter(pk=pk)
        .filter(vetting)
        .filter(Q(recipient=actor.organisation) | Q(event__recorded_by=actor.organisation, sender_sees=True))
        .first()
    )
    if share is None:
        raise NotFound("No such share")
    is_recipient = share.recipient_id == actor.organisation.pk
    if is_recipient:
        share_mark_read(actor=actor, share=share)
    with transaction.atomic():
        for person in share.people.all():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="share",
                object_id=share.pk,
                person_id=person.pk,
                reason="received this share" if is_recipient else "sent this share",
            )
    return OpenedShare(share=share, is_recipient=is_recipient, content=share_content(share))


def my_submissions(*, actor: Actor, limit: int = 100) -> list[Event]:
    """What this person (or API client's organisation) recorded, with where each share has got to."""
    if actor.organisation is None:
        return []
    events = Event.objects.filter(recorded_by=actor.organisation)
    if actor.user is not None:
        events = events.filter(recorded_by_user=actor.user)
    return list(
        events.prefetch_related(
            Prefetch(
                "shares",
                queryset=Share.objects.filter(sender_sees=True)
                .select_related("recipient")
                .order_by("recipient__name"),
            ),
            "subjects__person",
        ).order_by("-recorded_at")[:limit]
    )


def stuck_deliveries(*, actor: Actor) -> list[Delivery]:
    if actor.organisation is None:
        return []
    return list(
        Delivery.objects.filter(share__recipient=actor.organisation, status=DeliveryStatus.DEAD)
        .exclude(endpoint__active=False)  # stopped when their endpoint was removed: nothing to send again
        .select_related("share__event", "endpoint")
        .order_by("-dead_at")
    )


__all__ = ["DeliveryAttempt", "deadline_status", "inbox", "inbox_counts", "share_content", "share_open"]


def webhook_endpoints(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    """The organisation's webhook endpoints in use (a removed one stays only as the record of its deliveries),
    for its administrators and API clients; nobody else has any."""
    from openmash.access.policy import may_manage_webhooks

    if actor.organisation is None or not may_manage_webhooks(actor, actor.organisation):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(organisation=actor.organisation, active=True).order_by("id")


def webhook_endpoint_open(*, actor: Actor, endpoint_id: int | str) -> WebhookEndpoint:
    """One of the organisation's endpoints in use; NotFound for another organisation's, a removed one, or
    anyone who may not manage them."""
    try:
        key = int(endpoint_id)
    except (TypeError, ValueError):
        raise NotFound("No such webhook endpoint") from None
    if not 0 < key < 2**63:  # beyond any id, and beyond what the databases' integers hold
        raise NotFound("No such webhook endpoint")
    endpoint = webhook_endpoints(actor=actor).filter(pk=key).first()
    if endpoint is None:
        raise NotFound("No such webhook endpoint")
    return endpoint
