"""API for recording events and working an inbox. The same services as the web pages; thin translation here."""

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.api.auth import request_actor
from openmash.api.inputs import BirthDate, Input, Instant, column
from openmash.api.problems import problem
from openmash.events.models import Event, EventKind, SubjectRole
from openmash.lib.errors import InvalidInput, NotFound
from openmash.missing.models import Category, MissingEpisode
from openmash.missing.services import (
    FoundInput,
    MissingReportInput,
    found_report_record,
    missing_report_record,
)
from openmash.organisations.models import Organisation
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.people.models import Person, PersonIdentifier
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import AlsoWrite, EventInput, PersonInput, RecordedEvent, event_record
from openmash.sharing import selectors
from openmash.sharing.context import share_context
from openmash.sharing.models import IdempotentRequest, Share
from openmash.sharing.views import event_cursor, live_stream

router = Router(tags=["sharing"])


class ChildIn(Input):
    person_id: uuid.UUID | None = Field(
        None, description="An existing person's id instead of the details below"
    )
    given_name: str = column(Person, "given_name", "")
    family_name: str = column(Person, "family_name", "")
    date_of_birth: BirthDate | None = None
    nhs_number: str = column(PersonIdentifier, "value", "")
    upn: str = column(PersonIdentifier, "value", "")
    school_urn: str = column(Organisation, "code", "")
    present: bool | None = None
    saw_heard: str = ""
    child_words: str = ""
    home_educated: bool = False


RelationshipKindIn = Literal["parent", "parent-partner", "carer", "relative", "sibling", "household-member"]


class ChildRelationshipIn(Input):
    child: int = Field(
        ge=0, description="Which child: their place in this incident's `children`, counting from 0"
    )
    relationship: RelationshipKindIn = Field(description="What the adult is to that child")


class AdultIn(Input):
    person_id: uuid.UUID | None = None
    given_name: str = column(Person, "given_name", "")
    family_name: str = column(Person, "family_name", "")
    date_of_birth: BirthDate | None = None
    harm_role: Literal["", "victim", "person-causing-harm", "other"] = Field(
        "", description="Their part in the incident"
    )
    relationships: list[ChildRelationshipIn] = Field(
        [],
        description="What they are to each child at the incident, one entry per child (each child at most "
        "once); linked on their records. A child not named here takes `relationship`, or is linked as a "
        "household member",
    )
    relationship: Literal["", RelationshipKindIn] = Field(
        "",
        description="The same relationship to every child at the incident not named in `relationships` (the "
        "older single field, still accepted); a household member when neither is given",
    )


def late_reason_field() -> Any:
    """The sender's own reason for telling a recipient late (clocks.deadlines: the sender's clock)."""
    return Field(
        "",
        max_length=2000,
        description="Why it is sent after the sender's deadline for telling a recipient (for example, police to "
        "the council within the domestic-abuse notification time). Required when any notification will be late "
        "(a problem names `late_reason` when it is missing); kept against your organisation's late notice for "
        "its managers. Ignored when nothing is late",
    )


class DomesticAbuseIn(Input):
    police_reference: str = column(Event, "reference")
    occurred_at: Instant
    reported_at: Instant
    risk_level: Literal["standard", "medium", "high"]
    postcode: str = column(Event, "postcode", "")
    council: str = column(
        Organisation, "name", "", description="GSS code or exact name; overrides the postcode's council"
    )
    location: str = column(Event, "location", "")
    summary: str = ""
    marac: bool = False
    children: list[ChildIn]
    adults: list[AdultIn] = []
    late_reason: str = late_reason_field()


class MissingIn(Input):
    child: ChildIn
    last_seen_at: Instant
    reported_at: Instant | None = None
    postcode: str = column(Event, "postcode", "")
    location: str = column(Event, "location", "")
    risk: Literal["no-apparent-risk", "low", "medium", "high"] = "medium"
    away: bool = Field(False, description="Away without authorisation rather than missing (SSDA903 'A')")
    summary: str = ""
    reference: str = column(Event, "reference", "")
    late_reason: str = late_reason_field()


class FoundIn(Input):
    found_at: Instant
    postcode: str = column(Event, "postcode", "")
    location: str = column(Event, "location", "")
    summary: str = ""
    late_reason: str = late_reason_field()


class PoliceProtectionIn(Input):
    children: list[ChildIn]
    taken_at: Instant
    postcode: str = column(Event, "postcode")
    location: str = column(Event, "location", "")
    reasons: str
    designated_officer: str
    alternatives_discussed: bool
    alternatives_discussed_with: str = ""
    reference: str = column(Event, "reference", "")
    late_reason: str = late_reason_field()


class ReferralIn(Input):
    council: str = column(Organisation, "name", description="The council front door: GSS code or exact name")
    children: list[ChildIn]
    concern_at: Instant
    summary: str
    reference: str = column(Event, "reference", "")


class NotificationOut(Schema):
    rule: str | None = Field(description="The sender's clock rule, as `openmash rules` lists them")
    due: dt.datetime | None = Field(description="When the recipient had to be told by")
    sent_at: dt.datetime
    late: bool | None = Field(description="Whether it was shared after `due` (the sender's lateness)")
    late_by_hours: float | None


class ShareOut(Schema):
    share_id: uuid.UUID
    recipient: str
    recipient_name: str
    route: str
    content: str
    deadline: dt.datetime | None = Field(description="The same as decision_due")
    decision_due: dt.datetime | None = Field(
        description="The recipient's own deadline, counted from the share's arrival (none for a school's "
        "Operation Encompass notice)"
    )
    notification: NotificationOut = Field(description="The sender's clock: when the recipient had to be told")


class LinkedOut(Schema):
    given_name: str
    family_name: str
    date_of_birth: dt.date | None


class RecordedOut(Schema):
    event_id: uuid.UUID
    shares: list[ShareOut] = Field(
        description="The shares your organisation is told of. A share found only through a record your "
        "organisation may not see is delivered but not listed here."
    )
    linked_to_records_you_may_not_see: list[LinkedOut] = Field(
        description="People you named (as you named them) who are a record your organisation may not see, "
        "by their identifiers, name and date of birth agreeing or by the matcher being sure: your event is "
        "linked to it and the agencies that hold it are told. You see your event, not that record."
    )


class AcknowledgeIn(Input):
    decision: Literal[
        "",
        "no-further-action",
        "early-help",
        "assessment",
        "strategy-discussion",
        "social-worker-told",
        "return-interview",
        "noted",
    ] = Field(
        "",
        description="A council front door's next step (a missing or found report has its own); anyone else "
        "acknowledges as read and noted, and may leave this out",
    )
    reasons: str = ""


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str


def _child(child: ChildIn) -> PersonInput:
    return PersonInput(
        role=SubjectRole.CHILD,
        person_id=child.person_id,
        given_name=child.given_name,
        family_name=child.family_name,
        date_of_birth=child.date_of_birth,
        nhs_number=child.nhs_number,
        upn=child.upn,
        details={
            "present": child.present,
            "saw_heard": child.saw_heard,
            "child_words": child.child_words,
            "home_educated": child.home_educated,
            "school_urn": child.school_urn,
        },
    )


def _council(text: str, field: str = "council"):
    if not text:
        return None
    try:
        return organisation_resolve(text)
    except UnknownOrganisation as error:
        raise InvalidInput({field: str(error)}) from error


def _recorded(recorded: RecordedEvent) -> dict[str, Any]:
    return {
        "event_id": str(recorded.event.pk),
        "shares": [
            {
                "share_id": str(share.pk),
                "recipient": share.recipient.code,
                "recipient_name": share.recipient.name,
                "route": share.route,
                "content": share.content,
                # In UTC: a deadline in London time far from today carries an offset no parser reads.
                "deadline": share.due_at.astimezone(dt.UTC).isoformat() if share.due_at else None,
                "decision_due": share.due_at.astimezone(dt.UTC).isoformat() if share.due_at else None,
                "notification": selectors.notification_timing(share).as_json(),
            }
            for share in recorded.shares_told
        ],
        "linked_to_records_you_may_not_see": [
            {
                "given_name": given.given_name,
                "family_name": given.family_name,
                "date_of_birth": given.date_of_birth.isoformat() if given.date_of_birth else None,
            }
            for given in recorded.linked_unseen
        ],
    }


IDEMPOTENCY_KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length or 0


def _idempotency_key(request: HttpRequest) -> str | HttpResponse:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        return problem(
            request,
            400,
            "Bad request",
            f"Idempotency-Key must be at most {IDEMPOTENCY_KEY_LENGTH} printable characters",
        )
    return key


def _idempotent(
    request: HttpRequest, payload: Schema, record: Callable[[AlsoWrite | None], RecordedEvent]
) -> HttpResponse | Status:
    """Run ``record`` once per Idempotency-Key: a retry gets the first answer, never a second event.

    The answer is built and checked inside the event's transaction: an answer that cannot be given rolls the
    event back, so a committed event is always answered 201."""
    actor = request_actor(request)
    key = _idempotency_key(request)
    if isinstance(key, HttpResponse):
        return key
    body: dict[str, Any] = {}

    def answer(recorded: RecordedEvent) -> None:
        body.update(RecordedOut.model_validate(_recorded(recorded)).model_dump(mode="json"))

    if not key:
        record(answer)
        return Status(201, body)
    assert actor.organisation is not None  # every API client belongs to an organisation
    # The same request: the same organisation (whichever of its clients retries), method, path and key.
    same = {
        "organisation_id": actor.organisation.pk,
        "method": request.method or "",
        "path": request.path,
        "key": key,
    }
    digest = hashlib.sha256(json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()

    def replay(existing: IdempotentRequest) -> HttpResponse | Status:
        if existing.request_digest != digest:
            return problem(
                request, 422, "Unprocessable content", "This Idempotency-Key was used for a different request"
            )
        return Status(existing.status, existing.body)

    existing = IdempotentRequest.objects.filter(**same).first()
    if existing is not None:
        return replay(existing)

    def remember(recorded: RecordedEvent) -> None:
        # Written in the event's own transaction: the key and the event commit together, or neither does.
        answer(recorded)
        IdempotentRequest.objects.create(
            **same,
            api_client_id=actor.api_client.pk if actor.api_client is not None else 0,
            request_digest=digest,
            status=201,
            body=body,
        )

    try:
        record(remember)
    except IntegrityError:
        # The same key raced in from another request and won; its event stands, this one was rolled back.
        return replay(IdempotentRequest.objects.get(**same))
    return Status(201, body)


CREATED = {
    201: RecordedOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    503: ProblemOut,
}


def domestic_abuse_input(payload: DomesticAbuseIn) -> EventInput:
    """What the API's domestic abuse incident records (also what bench/recording.py times)."""
    people = [_child(child) for child in payload.children]
    people += [
        PersonInput(
            role=SubjectRole.ADULT,
            person_id=a.person_id,
            given_name=a.given_name,
            family_name=a.family_name,
            date_of_birth=a.date_of_birth,
            details={
                "harm_role": a.harm_role,
                "relationship": a.relationship,
                "relationships": [entry.model_dump() for entry in a.relationships],
            },
        )
        for a in payload.adults
    ]
    return EventInput(
        kind=EventKind.DOMESTIC_ABUSE,
        reference=payload.police_reference,
        occurred_at=payload.occurred_at,
        reported_at=payload.reported_at,
        location=payload.location,
        postcode=payload.postcode,
        council=_council(payload.council),
        risk_level=payload.risk_level,
        summary=payload.summary,
        details={"marac": payload.marac},
        people=people,
        source="api",
        late_reason=payload.late_reason,
    )


def _record(
    request: HttpRequest, payload: Schema, build: Callable[[Actor], EventInput]
) -> HttpResponse | Status:
    """The API's one way to record an event: ``build`` says what the payload records, for the calling
    organisation; it is recorded once per Idempotency-Key and answered with its shares."""
    actor = request_actor(request)
    return _idempotent(request, payload, lambda also: event_record(actor=actor, data=build(actor), also=also))


@router.post("/incidents/domestic-abuse", response=CREATED)
def domestic_abuse(request: HttpRequest, payload: DomesticAbuseIn):
    """Record a domestic abuse incident. Shared at once with each child's council and, for children aged 4-17,
    their school (Operation Encompass)."""
    return _record(request, payload, lambda _actor: domestic_abuse_input(payload))


@router.post("/missing-reports", response=CREATED)
def missing_report(request: HttpRequest, payload: MissingIn):
    """Report a child missing: a missing episode begins (`/missing-episodes`). Shared at once with the child's
    council and, for a looked-after child, the placing and host councils and the allocated social worker;
    carers' reports go to the police."""
    actor = request_actor(request)
    data = MissingReportInput(
        reference=payload.reference,
        last_seen_at=payload.last_seen_at,
        reported_at=payload.reported_at,
        last_seen_where=payload.location,
        postcode=payload.postcode,
        summary=payload.summary,
        risk=payload.risk,
        category=Category.AWAY if payload.away else Category.MISSING,
        child=_child(payload.child),
        source="api",
        late_reason=payload.late_reason,
    )
    return _idempotent(
        request, payload, lambda also: missing_report_record(actor=actor, data=data, also=also).recorded
    )


@router.post("/missing-reports/{event_id}/found", response=CREATED)
def found_report(request: HttpRequest, event_id: uuid.UUID, payload: FoundIn):
    """Record that a missing child was found or returned: the episode closes and the return interview clock
    starts."""
    actor = request_actor(request)
    missing = Event.objects.filter(pk=event_id, kind=EventKind.MISSING).first()
    if missing is None or not policy.may_see_event(actor, missing):
        raise NotFound("No such missing report")
    episode = MissingEpisode.objects.filter(missing_report=missing).first()
    if episode is None:
        raise NotFound("No such missing report")
    data = FoundInput(
        found_at=payload.found_at,
        found_where=payload.location,
        postcode=payload.postcode,
        summary=payload.summary,
        source="api",
        late_reason=payload.late_reason,
    )
    return _idempotent(
        request,
        payload,
        lambda also: found_report_record(actor=actor, episode=episode, data=data, also=also).recorded,
    )


@router.post("/police-protection", response=CREATED)
def police_protection(request: HttpRequest, payload: PoliceProtectionIn):
    """Record a child taken into police protection (Children Act 1989 s46), with whether alternatives were
    discussed with the council. Shared with the council where the child was found and the home council."""
    return _record(
        request,
        payload,
        lambda _actor: EventInput(
            kind=EventKind.POLICE_PROTECTION,
            reference=payload.reference,
            occurred_at=payload.taken_at,
            reported_at=payload.taken_at,
            location=payload.location,
            postcode=payload.postcode,
            summary=payload.reasons,
            details={
                "designated_officer": payload.designated_officer,
                "reasons": payload.reasons,
                "alternatives_discussed": payload.alternatives_discussed,
                "alternatives_discussed_with": payload.alternatives_discussed_with,
            },
            people=[_child(child) for child in payload.children],
            source="api",
            late_reason=payload.late_reason,
        ),
    )


@router.post("/referrals", response=CREATED)
def referral(request: HttpRequest, payload: ReferralIn):
    """Refer a child to a council's front door."""
    return _record(
        request,
        payload,
        lambda _actor: EventInput(
            kind=EventKind.REFERRAL,
            reference=payload.reference,
            occurred_at=payload.concern_at,
            reported_at=payload.concern_at,
            council=_council(payload.council),
            summary=payload.summary,
            people=[_child(child) for child in payload.children],
            source="api",
        ),
    )


class InboxQuery(Input):
    status: Literal["", "overdue", "due-soon", "on-time", "no-deadline", "acknowledged"] = ""
    # A kind of event ("domestic-abuse", "missing", ...), or every kind: its pattern in the document, so that a
    # value no kind could have (a NUL, a space) is outside it rather than a surprise refusal.
    kind: str = Field("", pattern=r"^[a-z-]*$", max_length=40)
    # Live work (the default), or shares imported as history: handled elsewhere, nobody's work now.
    view: Literal["live", "history"] = "live"


def _share_out(share: Share) -> dict[str, Any]:
    return {
        **selectors.share_content(share),
        "recipient": share.recipient.code if hasattr(share, "recipient") else None,
        "shared_at": share.shared_at.isoformat(),
        "delivered_at": share.delivered_at.isoformat() if share.delivered_at else None,
        "first_read_at": share.first_read_at.isoformat() if share.first_read_at else None,
        "acknowledged_at": share.acknowledged_at.isoformat() if share.acknowledged_at else None,
        "decision": share.decision,
        "decision_reasons": share.decision_reasons,
        "deadline_status": selectors.deadline_status(share),
        "imported_as": share.imported_as,
        "handled_at": share.handled_at.isoformat() if share.handled_at else None,
    }


@router.get("/inbox", response={200: dict[str, Any], 401: ProblemOut})
def inbox(request: HttpRequest, filters: Query[InboxQuery]):
    """Shares delivered to your organisation, live work by default (``view=history`` for shares imported as
    history), with counts: live work by deadline status, and history apart."""
    actor = request_actor(request)
    shares = selectors.inbox(
        actor=actor,
        filters=selectors.InboxFilters(status=filters.status, kind=filters.kind, view=filters.view),
        with_content=True,
    )
    return {"counts": selectors.inbox_counts(actor=actor), "shares": [_share_out(share) for share in shares]}


@router.get("/inbox/stream", response={200: None, 400: ProblemOut, 401: ProblemOut})
def inbox_stream(request: HttpRequest):
    """Server-sent events: a ``share`` event (data: {"share_id": ...}) whenever a share reaches your inbox.
    Reconnect with Last-Event-ID (the id of the last event received) to resume; another value is a 400."""
    actor = request_actor(request)
    last = request.headers.get("Last-Event-ID")
    if last is not None and event_cursor(last) is None:
        return problem(
            request, 400, "Bad request", "Last-Event-ID must be the id of an event this stream sent"
        )
    return live_stream(actor, request)


@router.get("/shares/{share_id}", response={200: dict[str, Any], 401: ProblemOut, 404: ProblemOut})
def share_read(request: HttpRequest, share_id: str):
    """One share, for its recipient or its sender (who sees the outcome), with the context of each child the
    caller may see (``children_context``): age, current statuses, the last 12 months' events about the child
    and household that the caller may see, domestic abuse incidents counted, earlier decisions, the allocated
    worker, siblings and adults. Each adult involved (``adults``) carries ``relationships``: what they are to each
    child the share names, as ``{"child": person id, "relationship": kind}``. A school is given only what
    Operation Encompass gives it."""
    actor = request_actor(request)
    share = selectors.share_open(actor=actor, share_id=share_id).share
    return {
        **_share_out(share),
        "children_context": [child.as_json() for child in share_context(actor=actor, share=share)],
    }


@router.post(
    "/shares/{share_id}/acknowledge",
    response={200: dict[str, Any], 401: ProblemOut, 404: ProblemOut, 422: ProblemOut},
)
def acknowledge(request: HttpRequest, share_id: str, payload: AcknowledgeIn):
    """Acknowledge a share with the decision (councils: the next step and reasons; others: noted)."""
    actor = request_actor(request)
    opened = selectors.share_open(actor=actor, share_id=share_id)
    if not opened.is_recipient:
        raise NotFound("No such share in your inbox")
    return _share_out(
        share_acknowledge(actor=actor, share=opened.share, decision=payload.decision, reasons=payload.reasons)
    )
