"""API for missing episodes: list and read them, grade the risk, record a return home interview. The same
selectors and services as the pages; thin translation here (issue 15)."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openmash.accounts.actors import Actor
from openmash.accounts.models import User
from openmash.api.auth import request_actor
from openmash.api.idempotency import idempotent
from openmash.api.inputs import Input, Instant, SearchDate
from openmash.database import write_transaction
from openmash.lib.errors import InvalidInput
from openmash.lib.instants import LONDON
from openmash.missing import selectors, services
from openmash.missing.models import MissingEpisode, ReturnInterview
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.people import selectors as people_selectors

router = Router(tags=["missing children"])


class GradingOut(Schema):
    risk: str
    graded_at: dt.datetime
    organisation: str
    graded_by: str
    reason: str


class InterviewOut(Schema):
    service: str
    offered_at: dt.datetime
    offered_to: str
    response: str
    declined_reason: str
    held_at: dt.datetime | None
    held_where: str
    interviewer: str
    independent: bool | None
    independence_exception: str
    why_went: str
    where_went: str
    with_whom: str
    exploitation: list[str]
    child_wishes: str
    actions: dict[str, str]


class EpisodeOut(Schema):
    id: uuid.UUID
    child_id: uuid.UUID | None = Field(
        description="None where your organisation may not see the child's record"
    )
    council: str | None
    looked_after: bool
    category: str = Field(description="`M` missing or `A` away without authorisation (SSDA903)")
    risk: str
    reference: str
    reported_by: str
    missing_report_id: uuid.UUID
    last_seen_at: dt.datetime
    last_seen_where: str
    reported_at: dt.datetime
    council_told_at: dt.datetime | None
    found_report_id: uuid.UUID | None
    found_at: dt.datetime | None
    found_where: str
    safe_and_well_at: dt.datetime | None
    repeat_missing: bool


class EpisodeDetailOut(EpisodeOut):
    gradings: list[GradingOut]
    return_interview: InterviewOut | None


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str


def _episode(item: MissingEpisode, sees_child: bool = True) -> dict[str, Any]:
    """An episode as the API gives it; to a recorder linked to a record it may not see, without what the record
    holds (who the child is on record, their council, whether looked after: decision 0012)."""
    return {
        "id": item.pk,
        "child_id": item.child_id if sees_child else None,
        "council": item.council.code if item.council is not None and sees_child else None,
        "looked_after": item.looked_after and sees_child,
        "category": item.category,
        "risk": item.risk,
        "reference": item.reference,
        "reported_by": item.reported_by.code,
        "missing_report_id": item.missing_report_id,
        "last_seen_at": item.last_seen_at,
        "last_seen_where": item.last_seen_where,
        "reported_at": item.reported_at,
        "council_told_at": item.council_told_at,
        "found_report_id": item.found_report_id,
        "found_at": item.found_at,
        "found_where": item.found_where,
        "safe_and_well_at": item.safe_and_well_at,
        "repeat_missing": item.repeat_count is not None,
    }


def _interview(interview: ReturnInterview | None) -> dict[str, Any] | None:
    if interview is None:
        return None
    return {
        "service": interview.service.code,
        "offered_at": interview.offered_at,
        "offered_to": interview.offered_to,
        "response": interview.response,
        "declined_reason": interview.declined_reason,
        "held_at": interview.held_at,
        "held_where": interview.held_where,
        "interviewer": interview.interviewer_label,
        "independent": interview.independent,
        "independence_exception": interview.independence_exception,
        "why_went": interview.why_went,
        "where_went": interview.where_went,
        "with_whom": interview.with_whom,
        "exploitation": list(interview.exploitation),
        "child_wishes": interview.child_wishes,
        "actions": dict(interview.actions),
    }


def _detail(item: MissingEpisode, actor: Actor) -> dict[str, Any]:
    sees_child = people_selectors.reason_to_see(actor, item.child_id) is not None
    return _episode(item, sees_child) | {
        "gradings": [
            {
                "risk": grading.risk,
                "graded_at": grading.graded_at,
                "organisation": grading.organisation.code,
                "graded_by": grading.graded_by_label,
                "reason": grading.reason,
            }
            for grading in item.gradings.select_related("organisation")
        ],
        "return_interview": _interview(ReturnInterview.objects.filter(episode=item).first()),
    }


class EpisodeFilters(Input):
    council: str = Field("", description="The child's council: GSS code or exact name")
    child: uuid.UUID | None = None
    open: bool | None = Field(None, description="true: still missing; false: found")
    from_: SearchDate | None = Field(None, alias="from", description="Last seen on or after this date")
    to: SearchDate | None = Field(None, description="Last seen on or before this date")


def _day(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=1 if after else 0), dt.time(), tzinfo=LONDON)


@router.get("/missing-episodes", response={200: list[EpisodeOut], 401: ProblemOut, 422: ProblemOut})
def episodes(request: HttpRequest, filters: Query[EpisodeFilters]):
    """Missing episodes your organisation reported or was told of (a council: every episode on its list),
    newest first, at most 500."""
    council = None
    if filters.council:
        try:
            council = organisation_resolve(filters.council)
        except UnknownOrganisation:
            return []  # no such council: none of its episodes
    found = selectors.episodes_search(
        actor=request_actor(request),
        council=council,
        child=filters.child,
        open_only=filters.open,
        since=_day(filters.from_),
        until=_day(filters.to, after=True),
    )
    actor = request_actor(request)
    seen = set(
        people_selectors.visible_people(actor)
        .filter(pk__in={item.child_id for item in found})
        .values_list("pk", flat=True)
    )
    return [_episode(item, item.child_id in seen) for item in found]


@router.get(
    "/missing-episodes/{episode_id}",
    response={200: EpisodeDetailOut, 401: ProblemOut, 404: ProblemOut},
)
def episode(request: HttpRequest, episode_id: uuid.UUID):
    """One episode with its risk gradings and return home interview. 404 for an episode that does not exist
    or your organisation may not see."""
    actor = request_actor(request)
    opened = selectors.episode_open(actor=actor, episode_id=episode_id)
    return _detail(opened.episode, actor)


def _once(request: HttpRequest, payload: Schema, run: Callable[[], dict[str, Any]]) -> HttpResponse | Status:
    """Run a write once per Idempotency-Key (as the event endpoints do): a retry gets the first answer."""
    return idempotent(
        request,
        request_actor(request),
        payload,
        lambda: EpisodeDetailOut.model_validate(run()).model_dump(mode="json"),
        200,
        within=write_transaction,
    )


WRITTEN = {
    200: EpisodeDetailOut,
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
}


class RiskIn(Input):
    risk: Literal["no-apparent-risk", "low", "medium", "high"]
    reason: str


@router.post("/missing-episodes/{episode_id}/risk", response=WRITTEN)
def risk(request: HttpRequest, episode_id: uuid.UUID, payload: RiskIn):
    """The police grade (or re-grade) the risk; every grading is kept with who made it. 403 for other
    agencies."""
    actor = request_actor(request)
    item = selectors.episode_get(actor=actor, episode_id=episode_id)

    def run() -> dict[str, Any]:
        services.risk_grade(actor=actor, episode=item, risk=payload.risk, reason=payload.reason)
        item.refresh_from_db()
        return _detail(item, actor)

    return _once(request, payload, run)


class OfferIn(Input):
    offered_at: Instant
    offered_to: str
    response: Literal["waiting", "accepted", "declined"] = "waiting"
    declined_reason: str = ""
    late_reason: str = Field("", description="Why the offer came after the 72 hours, when it did")


class OutcomeIn(Input):
    held_at: Instant
    held_where: str
    interviewer: str = Field(description="The user name of the interviewer, of your organisation")
    why_went: str
    where_went: str = ""
    with_whom: str = ""
    exploitation: list[Literal["criminal", "sexual", "county-lines"]] = []
    child_wishes: str = ""
    actions: dict[str, str] = Field({}, description="What each agency is asked to do, by agency")
    places: list[str] = []
    associates: list[str] = []
    independence_exception: str = Field(
        "", description="Required when the interviewer is of the child's placement or social work team"
    )


class ReturnInterviewIn(Input):
    offer: OfferIn | None = Field(None, description="The offer (within 72 hours of the return)")
    answer: Literal["accepted", "declined"] | None = Field(None, description="The child's answer to an offer")
    declined_reason: str = ""
    outcome: OutcomeIn | None = Field(None, description="The interview held and what it found")


@router.post("/missing-episodes/{episode_id}/return-interview", response=WRITTEN)
def return_interview(request: HttpRequest, episode_id: uuid.UUID, payload: ReturnInterviewIn):
    """A return-interview service records the offer, the child's answer and the interview's outcome (any of
    them, in that order). The offer meets the 72-hour clock; the outcome is shared with the police and the
    social worker. 403 for other agencies."""
    actor = request_actor(request)
    item = selectors.episode_get(actor=actor, episode_id=episode_id)
    if payload.offer is None and payload.answer is None and payload.outcome is None:
        raise InvalidInput({"": "Send an offer, an answer or an outcome"})

    def run() -> dict[str, Any]:
        interview = ReturnInterview.objects.filter(episode=item).first()
        if payload.offer is not None:
            offer = payload.offer
            interview = services.return_interview_offer(
                actor=actor,
                episode=item,
                offered_at=offer.offered_at,
                offered_to=offer.offered_to,
                response=offer.response,
                declined_reason=offer.declined_reason,
                late_reason=offer.late_reason,
            )
        if payload.answer is not None:
            if interview is None:
                raise InvalidInput({"answer": "Record the offer first"})
            interview = services.return_interview_answer(
                actor=actor,
                interview=interview,
                response=payload.answer,
                declined_reason=payload.declined_reason,
            )
        if payload.outcome is not None:
            if interview is None:
                raise InvalidInput({"outcome": "Record the offer first"})
            outcome = payload.outcome
            interviewer = User.objects.filter(
                username=outcome.interviewer, organisation=actor.organisation
            ).first()
            if interviewer is None:
                raise InvalidInput({"outcome.interviewer": "No such user in your organisation"})
            services.return_interview_record(
                actor=actor,
                interview=interview,
                interviewer=interviewer,
                outcome=services.InterviewOutcome(
                    held_at=outcome.held_at,
                    held_where=outcome.held_where,
                    why_went=outcome.why_went,
                    where_went=outcome.where_went,
                    with_whom=outcome.with_whom,
                    exploitation=list(outcome.exploitation),
                    child_wishes=outcome.child_wishes,
                    actions=dict(outcome.actions),
                    places=outcome.places,
                    associates=outcome.associates,
                    independence_exception=outcome.independence_exception,
                ),
            )
        item.refresh_from_db()
        return _detail(item, actor)

    return _once(request, payload, run)
