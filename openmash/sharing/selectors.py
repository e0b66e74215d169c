"""Reads of shares: inboxes, one share with its timeline, the sender's submissions, stuck deliveries."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventSubject
from openmash.lib.errors import NotFound
from openmash.people.models import RelationshipKind
from openmash.sharing.content import NotificationTiming, notification_timing, share_content
from openmash.sharing.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    ImportedAs,
    Share,
    WebhookEndpoint,
)
from openmash.sharing.services import share_mark_read

DUE_SOON = dt.timedelta(hours=4)

HARM_ROLE_LABELS = {
    "victim": "victim",
    "person-causing-harm": "person causing harm",
    "other": "other adult present",
}
RELATIONSHIP_LABELS = {key: str(label).lower() for key, label in RelationshipKind.choices}


def visible_events(actor: Actor, *, about: uuid.UUID | None = None) -> QuerySet[Event]:
    """The events the actor may see, as one query (``policy.visible_events``, which decides). Asked here
    because this is the lowest app that owns or sees every table the rule reads: events, shares, subjects."""
    rows = policy.EventRows(
        events=Event.objects.settled(), shares=Share.objects.all(), subjects=EventSubject.objects.all()
    )
    return policy.visible_events(actor, rows, about=about)


class DeadlineStatus:
    OVERDUE = "overdue"
    DUE_SOON = "due-soon"
    ON_TIME = "on-time"
    NO_DEADLINE = "no-deadline"
    ACKNOWLEDGED = "acknowledged"
    HISTORY = "history"  # imported as history: no deadline to meet now, so in none of the live statuses
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
    if share.imported_as == ImportedAs.HISTORY:
        return DeadlineStatus.HISTORY
    if share.acknowledged_at is not None:
        return DeadlineStatus.ACKNOWLEDGED
    if share.due_at is None:
        return DeadlineStatus.NO_DEADLINE
    if share.due_at < now:
        return DeadlineStatus.OVERDUE
    return DeadlineStatus.DUE_SOON if share.due_at < now + DUE_SOON else DeadlineStatus.ON_TIME


class InboxView:
    """Live work (the default) or history: shares imported as history are nobody's work now, so they are
    listed and counted apart and never among what is overdue (docs/import.md)."""

    LIVE = "live"
    HISTORY = "history"
    LABELS = {LIVE: "Live work", HISTORY: "History"}


# An event's own details in words (the web page; the API gives the values). Ids of other work are not
# shown: the share links to that work's page (sharing.links).
DETAIL_LABELS: dict[str, str] = {
    # MARAC is explained where it is first used, here.
    "marac": "Referred to MARAC (the multi-agency risk assessment conference for victims at high risk)",
    "designated_officer": "Designated officer",
    "reasons": "Reasons",
    "alternatives_discussed": "Alternatives to police protection discussed with the council",
    "alternatives_discussed_with": "Discussed with",
    "risk": "Risk grading",
    "episode": "Missing or away",
    "police_needed_because": "Police needed because",
    "address": "Address",
    "how": "How it ended",
    "grounds": "Grounds",
    "resolution": "Resolution",
    "stage": "Stage",
    # Details corrected (recording.rectification): the summary says what changed, was and now.
    "why": "Why they were corrected",
}
DETAIL_VALUES: dict[str, dict[str, str]] = {
    "risk": {"no-apparent-risk": "No apparent risk", "low": "Low", "medium": "Medium", "high": "High"},
    "episode": {"M": "Missing", "A": "Away without authorisation"},
    "police_needed_because": {
        "risk": "risk to the social worker or the child",
        "evidential": "evidence may be needed",
        "removal": "the child may need to be removed",
    },
}
HIDDEN_DETAILS = frozenset(
    {
        "police_protection",
        "joint_visit",
        "lone_visit",
        "disagreement",
        "investigation_closure",
        "step",
        # Concerns from two or more agencies: listed in a table of their own (``concerns_in_words``).
        "concerns",
        "agencies",
        "window_days",
        # Details corrected: each change is in the summary in words; the API gives them as values.
        "corrections",
    }
)


def _detail_text(key: str, value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value in (None, "", []):
        return "Not given"
    words = DETAIL_VALUES.get(key, {})
    if isinstance(value, list | tuple):
        text = ", ".join(words.get(str(item), str(item).replace("-", " ")) for item in value)
        return text[:1].upper() + text[1:]
    return words.get(str(value), str(value))


def detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's details as (label, words), known ones first in a fixed order, then any others."""
    known = [key for key in DETAIL_LABELS if key in details]
    others = sorted(key for key in details if key not in DETAIL_LABELS and key not in HIDDEN_DETAILS)
    return [
        (DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()), _detail_text(key, details[key]))
        for key in known + others
    ]


@dataclass(frozen=True)
class ConcernInWords:
    """One agency's concern as a share of concerns from two or more agencies lists it."""

    agency: str
    what: str
    reference: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    risk_level: str
    about: str
    summary: str


def concerns_in_words(details: dict[str, Any]) -> list[ConcernInWords]:
    """The concerns a share of ``concerns-together`` lists (casework.services.concerns), oldest first."""
    rows = []
    for item in details.get("concerns") or []:
        named = ", ".join(item.get("about") or [])
        if item.get("another_child"):  # through the same adult: a child of another front door's, unnamed
            named = f"{named} and a child not named here" if named else "a child not named here"
        rows.append(
            ConcernInWords(
                agency=item["agency"],
                what=item["what"],
                reference=item.get("reference", ""),
                occurred_at=dt.datetime.fromisoformat(item["occurred_at"]),
                recorded_at=dt.datetime.fromisoformat(item["recorded_at"]),
                risk_level=item.get("risk_level", ""),
                about=named,
                summary=item.get("summary", ""),
            )
        )
    return rows


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    kind: str = ""
    view: str = InboxView.LIVE


def _in_view(shares: QuerySet[Share], view: str) -> QuerySet[Share]:
    if view == InboxView.HISTORY:
        return shares.filter(imported_as=ImportedAs.HISTORY)
    return shares.exclude(imported_as=ImportedAs.HISTORY)


def _inbox_shares(actor: Actor) -> QuerySet[Share]:
    if actor.organisation is None:
        return Share.objects.none()
    if not policy.works_cases(actor):
        return Share.objects.none()
    shares = Share.objects.filter(recipient=actor.organisation, delivered_at__isnull=False)
    if policy.vetting_only(actor):
        shares = shares.filter(event__kind__in=policy.VETTING_EVENT_KINDS)
    return shares


def inbox(
    *, actor: Actor, filters: InboxFilters, limit: int = 200, with_content: bool = False
) -> list[Share]:
    """The actor's inbox, newest work first. Reading it is audited: it lists children's names and details.

    ``with_content``: each share's content is read too (``share_content``: the event's subjects, the
    recipient), in a fixed number of queries rather than two a share (the API's inbox)."""
    shares = _in_view(_inbox_shares(actor), filters.view)
    if filters.status in DeadlineStatus.LABELS:
        shares = shares.filter(deadline_condition(filters.status, timezone.now()))
    if filters.kind:
        shares = shares.filter(event__kind=filters.kind)
    shares = shares.select_related("event__recorded_by").prefetch_related("people")
    if with_content:
        shares = shares.select_related("recipient").prefetch_related("event__subjects")
    listed = list(
        shares.order_by(
            *(
                ["-shared_at"]
                if filters.view == InboxView.HISTORY
                # Open work first on both databases (PostgreSQL sorts NULL last in ascending order).
                else [F("acknowledged_at").asc(nulls_first=True), "due_at", "-shared_at"]
            )
        )[:limit]
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
                    "view": filters.view,
                    "shares": [str(share.pk) for share in listed],
                    "people": sorted({str(person.pk) for share in listed for person in share.people.all()}),
                },
            )
    return listed


def inbox_counts(*, actor: Actor) -> dict[str, int]:
    """Live work by deadline status, and history (imported as history) apart: never overdue, never due."""
    now = timezone.now()
    live = ~Q(imported_as=ImportedAs.HISTORY)
    aggregates = {
        status: Count("id", filter=live & deadline_condition(status, now)) for status in DeadlineStatus.LABELS
    }
    aggregates[InboxView.HISTORY] = Count("id", filter=Q(imported_as=ImportedAs.HISTORY))
    return _inbox_shares(actor).aggregate(**aggregates)


def inbox_delivered_since(*, actor: Actor, since: dt.datetime) -> list[Share]:
    """Shares that reached the inbox at or after ``since`` (the live stream's cursor)."""
    # History is never pushed: it reached the recipient long ago, in another system.
    shares = _in_view(_inbox_shares(actor), InboxView.LIVE)
    return list(shares.filter(delivered_at__gte=since).order_by("delivered_at", "id"))


def share_events(share_ids: list[str]) -> dict[str, str]:
    """Each share's event id, by share id (for judging lines of an access log that name shares)."""
    return {
        str(pk): str(event_id)
        for pk, event_id in Share.objects.filter(pk__in=share_ids).values_list("pk", "event_id")
    }


def people_in_words(
    people: list[dict[str, Any]], children: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """A share's children or adults for the page: the date of birth as a date, the adult's part in what
    happened and what they are to each of the share's ``children`` in words ("parent of Zara Quinn")."""
    names = {
        child["id"]: f"{child['given_name']} {child['family_name']}".strip() or "a child"
        for child in children or []
    }
    return [
        {
            **person,
            "born": dt.date.fromisoformat(person["date_of_birth"]) if person.get("date_of_birth") else None,
            "role_label": HARM_ROLE_LABELS.get(person.get("harm_role") or "", ""),
            "relationship_label": ", ".join(
                f"{RELATIONSHIP_LABELS.get(each['relationship'], 'household member')} of {names[each['child']]}"
                for each in person.get("relationships", [])
                if each["child"] in names
            ),
        }
        for person in people
    ]


@dataclass(frozen=True)
class OpenedShare:
    share: Share
    is_recipient: bool
    content: dict[str, Any]


def share_open(*, actor: Actor, share_id: uuid.UUID | str) -> OpenedShare:
    """A share for its recipient, or for the organisation that sent it (to see the outcome)."""
    if actor.organisation is None or not policy.works_cases(actor):
        raise NotFound("No such share")
    vetting = Q(event__kind__in=policy.VETTING_EVENT_KINDS) if policy.vetting_only(actor) else Q()
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


__all__ = [
    "DeliveryAttempt",
    "NotificationTiming",
    "deadline_status",
    "inbox",
    "inbox_counts",
    "notification_timing",
    "share_content",
    "share_open",
]


def webhook_endpoints(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    """The organisation's webhook endpoints in use (a removed one stays only as the record of its deliveries),
    for its administrators and API clients; nobody else has any."""
    if actor.organisation is None or not policy.may_manage_webhooks(actor, actor.organisation):
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
