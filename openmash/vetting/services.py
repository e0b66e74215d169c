"""Vetting requests and their stages: asked for by a council, checked by a police force, timed by the
``dbs-enhanced`` clock (domain.md section 3: 14 days; started on submission, stopped by the certificate or the
outcome) with the area's own escalation point (``dbs-escalation``). Each write is checked first, then one
transaction writes the request, its clock and its audit entry."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.clocks.services import clock_stop, deadline
from openmash.clocks.starts import VETTING_SUBJECT, start_for_vetting_request
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import EARLIEST_BIRTH, EARLIEST_EVENT, is_future
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.vetting.models import VettingOutcome, VettingRequest, VettingRole, VettingStage

SUBJECT_TYPE = VETTING_SUBJECT


@dataclass(frozen=True)
class VettingRequestInput:
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    role: str
    reference: str = ""
    household: str = ""
    placements_blocked: str = ""
    # The force doing the local checks: by default the force covering the council.
    force: Organisation | None = None
    # When the application was submitted: by default now.
    submitted_at: dt.datetime | None = None


def _longest(name: str) -> int:
    return VettingRequest._meta.get_field(name).max_length or 0  # type: ignore[union-attr]


def covering_force(council: Organisation) -> Organisation | None:
    return council.police_forces.order_by("name").first()


def vetting_request_submit(*, actor: Actor, data: VettingRequestInput) -> VettingRequest:
    """Ask the police for the checks on a prospective foster carer, adopter or household member."""
    if not policy.may_request_vetting(actor):
        raise NotAllowed("Only a council's fostering and adoption practitioners ask for vetting checks")
    council = actor.organisation
    assert council is not None  # policy: a council's practitioner
    now = timezone.now()
    errors: dict[str, str] = {}
    for name, missing in (
        ("given_name", "Enter the person's first name"),
        ("family_name", "Enter the person's last name"),
    ):
        value = getattr(data, name).strip()
        if not value:
            errors[name] = missing
        elif len(value) > _longest(name):
            errors[name] = f"Enter at most {_longest(name)} characters"
    for name in ("reference", "household"):
        if len(getattr(data, name).strip()) > _longest(name):
            errors[name] = f"Enter at most {_longest(name)} characters"
    if data.date_of_birth is None:
        errors["date_of_birth"] = "Enter the person's date of birth"
    elif data.date_of_birth > timezone.localdate():
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif data.date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = f"Date of birth must be after {EARLIEST_BIRTH:%-d %B %Y}"
    if data.role not in VettingRole.values:
        errors["role"] = (
            "Choose whether the person is a prospective foster carer, adopter or household member"
        )
    force = data.force or covering_force(council)
    if force is None:
        errors["force"] = "Choose the police force doing the local checks"
    elif force.kind != OrganisationKind.POLICE:
        errors["force"] = f"{force.name} is not a police force"
    submitted_at = data.submitted_at or now
    if timezone.is_naive(submitted_at):
        errors["submitted_at"] = "Give when it was submitted with its time zone"
    elif is_future(submitted_at, now):
        errors["submitted_at"] = "When it was submitted must be in the past"
    elif submitted_at < EARLIEST_EVENT:
        errors["submitted_at"] = f"Enter a date after {EARLIEST_EVENT:%-d %B %Y}"
    if errors:
        raise InvalidInput(errors)
    assert force is not None and data.date_of_birth is not None
    with transaction.atomic():
        request = VettingRequest(
            reference=data.reference.strip(),
            council=council,
            force=force,
            given_name=data.given_name.strip(),
            family_name=data.family_name.strip(),
            date_of_birth=data.date_of_birth,
            role=data.role,
            household=data.household.strip(),
            placements_blocked=data.placements_blocked.strip(),
            submitted_at=submitted_at,
            # The council's area sets the escalation point: its placements are the ones waiting.
            escalation_at=deadline(ClockRule.DBS_ESCALATION, submitted_at, council),
            # The standard's due time, as the clock started below counts it (the force is to act).
            due_at=deadline(ClockRule.DBS_ENHANCED, submitted_at, force),
            requested_by_label=actor.label,
            updated_at=now,
        )
        request.save(force_insert=True)
        start_for_vetting_request(force=force, request_id=request.pk, submitted_at=submitted_at)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=SUBJECT_TYPE,
            object_id=request.pk,
            reason="asked for vetting checks",
            detail={"role": request.role, "force": force.code},
        )
    return request


def vetting_clock(request: VettingRequest) -> Clock | None:
    return Clock.objects.filter(
        rule=ClockRule.DBS_ENHANCED, subject_type=SUBJECT_TYPE, subject_id=str(request.pk)
    ).first()


# The force records these; the council withdraws.
FORCE_STAGES = (
    VettingStage.LOCAL_CHECK_STARTED,
    VettingStage.LOCAL_CHECK_COMPLETED,
    VettingStage.CERTIFICATE_ISSUED,
)
CERTIFICATE_OUTCOMES = (VettingOutcome.CLEAR, VettingOutcome.DISCLOSED)


def _check_stage(
    request: VettingRequest, stage: str, at: dt.datetime, outcome: str, errors: dict[str, str]
) -> None:
    if not request.is_open:
        errors["stage"] = "This request is closed: its certificate was issued or it was withdrawn"
        return
    order = {
        VettingStage.LOCAL_CHECK_STARTED: (None, request.local_check_started_at),
        VettingStage.LOCAL_CHECK_COMPLETED: (
            request.local_check_started_at,
            request.local_check_completed_at,
        ),
        # Home-based roles always go to police local checks (domain.md): no certificate before they are done.
        VettingStage.CERTIFICATE_ISSUED: (request.local_check_completed_at, request.certificate_issued_at),
    }
    if stage in order:
        before, already = order[VettingStage(stage)]
        if already is not None:
            errors["stage"] = f"{VettingStage(stage).label} was already recorded"
        elif stage != VettingStage.LOCAL_CHECK_STARTED and before is None:
            errors["stage"] = (
                "Record that the police local checks started first"
                if stage == VettingStage.LOCAL_CHECK_COMPLETED
                else "Record that the police local checks were completed first"
            )
        elif before is not None and at < before:
            errors["at"] = "It cannot be before the stage before it"
    if stage == VettingStage.CERTIFICATE_ISSUED and outcome not in CERTIFICATE_OUTCOMES:
        errors["outcome"] = "Choose whether the certificate discloses information"
    if at < request.submitted_at and "at" not in errors:
        errors["at"] = "It cannot be before the request was submitted"


def vetting_stage_record(
    *,
    actor: Actor,
    request: VettingRequest,
    stage: str,
    at: dt.datetime | None = None,
    outcome: str = "",
    delay_reason: str = "",
) -> VettingRequest:
    """Move a request on a stage: the force's local checks started or completed, the certificate issued (with
    its outcome), or the council's withdrawal. The certificate or the withdrawal stops the 14-day clock; a
    certificate after it needs the reason for the delay."""
    if stage in FORCE_STAGES:
        allowed = policy.may_record_vetting_check(actor, force_id=request.force_id)
    elif stage == VettingStage.WITHDRAWN:
        allowed = policy.may_withdraw_vetting_request(actor, council_id=request.council_id)
    else:
        raise InvalidInput({"stage": "Choose a stage"})
    if not allowed:
        raise NotAllowed("Your organisation does not record this stage")
    now = timezone.now()
    at = at or now
    errors: dict[str, str] = {}
    if timezone.is_naive(at):
        errors["at"] = "Give the time with its time zone"
    elif is_future(at, now):
        errors["at"] = "It must be now or in the past"
    else:
        _check_stage(request, stage, at, outcome, errors)
    if errors:
        raise InvalidInput(errors)
    late = at > request.due_at
    closes = stage in (VettingStage.CERTIFICATE_ISSUED, VettingStage.WITHDRAWN)
    if stage == VettingStage.CERTIFICATE_ISSUED and late and not delay_reason.strip():
        raise InvalidInput(
            {"delay_reason": "Give the reason for the delay: the certificate was due within 14 days"}
        )
    with transaction.atomic():
        locked = VettingRequest.objects.select_for_update().get(pk=request.pk)
        errors = {}
        _check_stage(locked, stage, at, outcome, errors)  # again, under the lock: two officers at once
        if errors:
            raise InvalidInput(errors)
        if stage == VettingStage.LOCAL_CHECK_STARTED:
            locked.local_check_started_at = at
        elif stage == VettingStage.LOCAL_CHECK_COMPLETED:
            locked.local_check_completed_at = at
        elif stage == VettingStage.CERTIFICATE_ISSUED:
            locked.certificate_issued_at = at
            locked.outcome, locked.outcome_at = outcome, at
        else:
            locked.outcome, locked.outcome_at = VettingOutcome.WITHDRAWN, at
        if closes:
            locked.delay_reason = delay_reason.strip()
            clock = vetting_clock(locked)
            if clock is not None:
                reason = delay_reason.strip()
                if stage == VettingStage.WITHDRAWN and late and not reason:
                    # A withdrawal is not the force's delay: the clock closes as late, saying why it closed.
                    reason = "Withdrawn by the council before the certificate was issued"
                clock_stop(actor=actor, clock=clock, at=at, breach_reason=reason)
        locked.updated_at = now
        locked.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=SUBJECT_TYPE,
            object_id=locked.pk,
            reason=f"recorded: {VettingStage(stage).label.lower()}",
            detail={"stage": stage, "at": at.isoformat(), "outcome": locked.outcome},
        )
    return locked
