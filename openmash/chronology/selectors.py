"""A child's chronology: every event from every agency about one person, in the order things happened.

What the actor sees is decided by the access policy (``people.selectors.reason_to_see`` for the person,
``sharing.selectors.visible_events`` for each entry); what a recipient sees of an event it received is what its share
carries (``sharing.content.share_content``), so a school sees no more than its Operation Encompass notice.
Entries the actor may not see are counted, never described. Every read and export is audited.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventKind, RiskLevel
from openmash.lib.errors import NotFound
from openmash.people import selectors as people_selectors
from openmash.people.models import Person
from openmash.recording.checks import RAISED_BY_A_RULE
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import Content, Share
from openmash.sharing.selectors import share_content

# What a child's own part in an event is called, in the order it is shown.
SUBJECT_LABELS = {"present": "Present", "saw_heard": "Saw or heard", "child_words": "In their own words"}


@dataclass(frozen=True)
class ChronologyFilters:
    agency: str = ""  # the recording organisation's code
    kind: str = ""

    def as_query(self) -> dict[str, str]:
        return {key: value for key, value in (("agency", self.agency), ("type", self.kind)) if value}


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    event_id: uuid.UUID
    kind: str
    kind_label: str
    reference: str
    agency_code: str
    agency_name: str
    occurred_at: dt.datetime
    reported_at: dt.datetime | None
    recorded_at: dt.datetime
    # When it reached the viewer (its share), or first left the recorder; None if it was never shared.
    shared_at: dt.datetime | None
    location: str
    summary: str
    risk_level: str
    details: list[tuple[str, str]]
    about_child: list[tuple[str, str]]
    recorded_by: str
    # The viewer's part: "recorded" it, "received" it, or reads it for an "inspection".
    viewer_part: str
    encompass: bool
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Chronology:
    person: Person
    reason: str
    filters: ChronologyFilters
    entries: list[Entry]
    hidden: int
    agencies: list[tuple[str, str]]
    kinds: list[tuple[str, str]]


def kind_label(kind: str) -> str:
    """The label of any kind of event, including kinds added after this was written."""
    labels = dict(EventKind.choices)
    return str(labels.get(kind) or kind.replace("-", " ").replace("_", " ").capitalize())


def _value_text(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None or value == "":
        return "Not given"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(item) for item in value) or "None"
    if isinstance(value, dict):
        return "; ".join(
            f"{_key_label(str(key))}: {_value_text(item)}" for key, item in sorted(value.items())
        )
    return str(value)


def _key_label(key: str) -> str:
    return key.replace("_", " ").replace("-", " ").strip().capitalize()


def detail_items(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An event's kind-specific details as (label, text) pairs, whatever the kind, in alphabetical order
    (PostgreSQL's jsonb does not keep the order the keys were written in)."""
    return [(_key_label(str(key)), _value_text(value)) for key, value in sorted((details or {}).items())]


def _about_child(details: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (label, _value_text(details[key]))
        for key, label in SUBJECT_LABELS.items()
        if details.get(key) not in (None, "")
    ]


def _risk_label(value: str) -> str:
    return str(RiskLevel(value).label) if value in RiskLevel.values else value


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _entry(event: Event, person_id: uuid.UUID, organisation_id: int) -> Entry:
    shares = list(event.shares.all())
    common: dict[str, Any] = {
        "event_id": event.pk,
        "kind": event.kind,
        "kind_label": kind_label(event.kind),
        "agency_code": event.recorded_by.code,
        "agency_name": event.recorded_by.name,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
    }
    own_share = next((share for share in shares if share.recipient_id == organisation_id), None)
    if own_share is not None and event.recorded_by_id != organisation_id:
        # What the share carries is what the recipient reads: the sharing app decides, not this page.
        content = share_content(own_share)
        child: dict[str, Any] = next(
            (item for item in content["children"] if item["id"] == str(person_id)), {}
        )
        encompass = own_share.content == Content.ENCOMPASS
        return Entry(
            **common,
            reference=content["reference"],
            reported_at=_parse(content.get("reported_at")),
            shared_at=own_share.shared_at,
            location=content["location"],
            summary=content["summary"],
            risk_level=_risk_label(content.get("risk_level") or ""),
            details=detail_items(content.get("details")),
            about_child=_about_child(child),
            recorded_by="" if encompass else event.recorded_by_label,
            viewer_part="received",
            encompass=encompass,
            links=[Link("Your organisation's copy", reverse("sharing:share", args=[own_share.pk]))],
        )
    subject = next((item for item in event.subjects.all() if item.person_id == person_id), None)
    recorder = event.recorded_by_id == organisation_id
    return Entry(
        **common,
        reference=event.reference,
        reported_at=event.reported_at,
        shared_at=min((share.shared_at for share in shares), default=None),
        location=event.location,
        summary=event.summary,
        risk_level=_risk_label(event.risk_level),
        details=detail_items(event.details),
        about_child=_about_child(subject.details if subject is not None else {}),
        recorded_by=event.recorded_by_label,
        viewer_part="recorded" if recorder else "inspection",
        encompass=False,
        # The recorder may open each share it sent, to see where it has got to.
        links=[
            Link(f"Sent to {share.recipient.name}", reverse("sharing:share", args=[share.pk]))
            for share in sorted(shares, key=lambda share: share.recipient.name)
        ]
        if recorder
        else [],
    )


def _with_everything_shown(events: QuerySet[Event]) -> QuerySet[Event]:
    """A fixed number of queries however many entries there are (shares, their people, the subjects)."""
    return (
        events.select_related("recorded_by")
        .prefetch_related(
            Prefetch("shares", queryset=Share.objects.select_related("recipient").prefetch_related("people")),
            "subjects",
        )
        .order_by("occurred_at", "recorded_at", "pk")
    )


def chronology_open(
    *, actor: Actor, person_id: uuid.UUID | str, filters: ChronologyFilters, export: str = ""
) -> Chronology:
    """One person's chronology for the actor, recording the read (or the export, ``csv`` or ``pdf``).

    NotFound both when the person does not exist and when the actor may not see them."""
    try:
        pid = uuid.UUID(str(person_id))
    except ValueError as error:
        raise NotFound("No such person") from error
    reason = people_selectors.reason_to_see(actor, pid)
    person = Person.objects.filter(pk=pid).first()
    if reason is None or person is None or actor.organisation is None:
        raise NotFound("No such person")
    # What the service raised for a front door (concerns from two or more agencies) is an alert about entries
    # already here, no agency's entry: it is in the front door's inbox, not in the chronology.
    visible = sharing_selectors.visible_events(actor, about=pid).exclude(kind__in=RAISED_BY_A_RULE)
    # Without the model's ordering, or DISTINCT would also be over recorded_at: one row per event.
    options = list(
        visible.order_by().values_list("kind", "recorded_by__code", "recorded_by__name").distinct()
    )
    chosen = visible
    if filters.agency:
        chosen = chosen.filter(recorded_by__code=filters.agency)
    if filters.kind:
        chosen = chosen.filter(kind=filters.kind)
    entries = [_entry(event, pid, actor.organisation.pk) for event in _with_everything_shown(chosen)]
    # Counted over all this person's events, whatever the filters: the count must not hint at what is hidden.
    # Nor are alerts counted: that would tell the agencies whose concerns one lists that they were raised together.
    # The visible ones read first, then the person's events counted against them here: as one query
    # (NOT IN the visible events) PostgreSQL scanned every event on record.
    seen = set(visible.values_list("pk", flat=True))
    hidden = sum(
        1
        for pk in Event.objects.filter(subjects__person_id=pid)
        .exclude(kind__in=RAISED_BY_A_RULE)
        .values_list("pk", flat=True)
        if pk not in seen
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.EXPORT if export else AuditAction.VIEW,
            object_type="chronology",
            object_id=pid,
            person_id=pid,
            reason=f"{'exported chronology as ' + export.upper() if export else 'viewed chronology'}: {reason}",
            detail={**filters.as_query(), "format": export, "entries": len(entries), "hidden": hidden},
        )
    return Chronology(
        person=person,
        reason=reason,
        filters=filters,
        entries=entries,
        hidden=hidden,
        agencies=sorted({(code, name) for _kind, code, name in options}, key=lambda item: item[1]),
        kinds=sorted({(kind, kind_label(kind)) for kind, _code, _name in options}, key=lambda item: item[1]),
    )
