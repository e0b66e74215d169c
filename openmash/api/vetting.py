"""API for vetting (DBS) checks: a council's fostering and adoption system asks for checks, a force's vetting
system moves them through their stages. The same services and policy as the pages: a council sees its own
requests, a force its queue; 404 for any other."""

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from openmash.access import policy
from openmash.api.auth import request_actor
from openmash.api.idempotency import TAKES_IDEMPOTENCY_KEY, idempotent
from openmash.api.inputs import BirthDate, Input, Instant, column
from openmash.lib.errors import InvalidInput
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.vetting import selectors, services
from openmash.vetting.models import VettingRequest, VettingStage

router = Router(tags=["vetting"])


class VettingRequestIn(Input):
    given_name: str = column(VettingRequest, "given_name", min_length=1)
    family_name: str = column(VettingRequest, "family_name", min_length=1)
    date_of_birth: BirthDate
    role: Literal["foster-carer", "adopter", "household-member"]
    reference: str = column(VettingRequest, "reference", "")
    household: str = column(VettingRequest, "household", "")
    placements_blocked: str = ""
    force: str | None = column(
        VettingRequest,
        "reference",
        None,
        description="The police force doing the local checks (code or name); by default the force covering your council",
    )
    submitted_at: Instant | None = None


class StageIn(Input):
    stage: Literal["local-check-started", "local-check-completed", "certificate-issued", "withdrawn"]
    at: Instant | None = None
    outcome: Literal["clear", "disclosed", ""] = ""
    delay_reason: str = ""


class VettingRequestOut(Schema):
    id: uuid.UUID
    reference: str
    council: str
    force: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    role: str
    household: str
    placements_blocked: str
    stage: str
    submitted_at: dt.datetime
    due_at: dt.datetime
    escalation_at: dt.datetime
    local_check_started_at: dt.datetime | None
    local_check_completed_at: dt.datetime | None
    certificate_issued_at: dt.datetime | None
    outcome: str
    outcome_at: dt.datetime | None
    delay_reason: str


def _utc(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _out(request: VettingRequest) -> dict:
    return {
        "id": str(request.pk),
        "reference": request.reference,
        "council": request.council.code,
        "force": request.force.code,
        "given_name": request.given_name,
        "family_name": request.family_name,
        "date_of_birth": request.date_of_birth.isoformat(),
        "role": request.role,
        "household": request.household,
        "placements_blocked": request.placements_blocked,
        "stage": request.stage,
        "submitted_at": _utc(request.submitted_at),
        "due_at": _utc(request.due_at),
        "escalation_at": _utc(request.escalation_at),
        "local_check_started_at": _utc(request.local_check_started_at),
        "local_check_completed_at": _utc(request.local_check_completed_at),
        "certificate_issued_at": _utc(request.certificate_issued_at),
        "outcome": request.outcome,
        "outcome_at": _utc(request.outcome_at),
        "delay_reason": request.delay_reason,
    }


@router.post("/vetting-requests", response={201: VettingRequestOut}, openapi_extra=TAKES_IDEMPOTENCY_KEY)
def vetting_request_create(request: HttpRequest, payload: VettingRequestIn):
    """Ask the police for the checks on a prospective foster carer, adopter or household member (a council's
    API client). The 14-day clock starts at submission. 403 for an organisation that is not a council."""
    actor = request_actor(request)

    def write() -> dict:
        force = None
        if payload.force:
            try:
                force = organisation_resolve(payload.force)
            except UnknownOrganisation as error:
                raise InvalidInput({"force": "No police force of that code or name"}) from error
        return _out(
            services.vetting_request_submit(
                actor=actor,
                data=services.VettingRequestInput(
                    given_name=payload.given_name,
                    family_name=payload.family_name,
                    date_of_birth=payload.date_of_birth,
                    role=payload.role,
                    reference=payload.reference,
                    household=payload.household,
                    placements_blocked=payload.placements_blocked,
                    force=force,
                    submitted_at=payload.submitted_at,
                ),
            )
        )

    return idempotent(request, actor, payload, write)


@router.post(
    "/vetting-requests/{request_id}/stages",
    response={200: VettingRequestOut},
    openapi_extra=TAKES_IDEMPOTENCY_KEY,
)
def vetting_stage_create(request: HttpRequest, request_id: uuid.UUID, payload: StageIn):
    """Move a request on: the force records its local checks started and completed and the certificate issued
    (with its outcome; a reason for the delay past 14 days); the council withdraws. 404 for a request your
    organisation does not see; 403 for a stage it does not record."""
    actor = request_actor(request)
    view = selectors.vetting_request_open(actor=actor, request_id=request_id)

    def write() -> dict:
        return _out(
            services.vetting_stage_record(
                actor=actor,
                request=view.request,
                stage=VettingStage(payload.stage),
                at=payload.at,
                outcome=payload.outcome,
                delay_reason=payload.delay_reason,
            )
        )

    return idempotent(request, actor, payload, write, status=200)


@router.get("/vetting-requests", response={200: list[VettingRequestOut]})
def vetting_request_list(request: HttpRequest, open: bool = True):
    """Your force's queue (a force) or your council's requests (a council), longest wait first; with
    `open=false`, closed ones too. Empty for any other organisation."""
    actor = request_actor(request)
    if not policy.may_use_vetting(actor):
        return []
    return [_out(item) for item in selectors.vetting_request_list(actor=actor, open_only=open)]


@router.get("/vetting-requests/{request_id}", response={200: VettingRequestOut})
def vetting_request_get(request: HttpRequest, request_id: uuid.UUID):
    """One request with its stages and its clock's figures; 404 for one your organisation does not see."""
    return _out(selectors.vetting_request_open(actor=request_actor(request), request_id=request_id).request)
