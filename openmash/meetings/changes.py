"""Changing a meeting after it was convened: moving it, cancelling it (with the reason), inviting more
agencies; and recording the birth of a child made subject to a plan before birth.

Each change is an event shared with every agency invited, the ones just added included, through
``event_record`` like the invitation itself (route "invited": the meeting's own recipients, named here as when
convening, never a rule of routing's own), so it reaches each agency's live inbox, webhook and alert at once.

Changes and clocks (Working Together 2023; domain.md section 3): the statutory deadline a meeting answers is
counted from what started it, never from the meeting, so moving a meeting leaves its clock as it was (a
meeting moved past its deadline shows as late), and cancelling one stops nothing: the strategy discussion or
conference is still due, and the clock is met only when a meeting of its kind is held.
"""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks import starts
from openmash.events.models import SubjectRole
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.govuk import govuk_datetime
from openmash.meetings.models import ChangeKind, Meeting, MeetingChange, MeetingInvitation, MeetingKind
from openmash.meetings.services import EVENT_KIND, NOT_INVITABLE, _check_when, referrers, role_expected
from openmash.organisations.models import Organisation
from openmash.people.models import Person
from openmash.people.services import person_birth_record
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.models import Route, Share

REPORT_ASKED = "You are invited: send your agency's report before the meeting (Meetings, in OpenMASH)."


def _may_change(actor: Actor, meeting: Meeting) -> None:
    if not policy.may_change_meeting(actor, meeting.council_id):
        raise NotAllowed("Only the council that convened the meeting changes it")


def _locked_open(meeting: Meeting, field: str) -> Meeting:
    """The meeting, locked for this transaction, if it can still change; a specific error if not."""
    current = Meeting.objects.select_for_update().select_related("child", "council").get(pk=meeting.pk)
    if current.held_at is not None:
        raise InvalidInput({field: "This meeting has been held: it can no longer be changed"})
    if current.cancelled_at is not None:
        raise InvalidInput({field: "This meeting has been cancelled: convene a new one instead"})
    return current


def _describe(meeting: Meeting) -> str:
    child = meeting.child.full_name or "an unborn child"
    return f"{meeting.get_kind_display()} {meeting.reference} for {child}"


def _share_change(
    actor: Actor,
    meeting: Meeting,
    *,
    kind: str,
    summary: str,
    recipients: Sequence[Organisation],
    audit_reason: str,
    audit_detail: dict[str, object],
    **fields: object,
) -> tuple[MeetingChange, dict[int, Share]]:
    """Record the change as one event shared with ``recipients``, keep it on the meeting, and audit it (inside
    the caller's transaction). Returns the change and each recipient's share, by organisation."""
    recorded = event_record(
        actor=actor,
        data=EventInput(
            kind=EVENT_KIND[MeetingKind(meeting.kind)],
            reference=meeting.reference,
            occurred_at=timezone.now(),
            council=meeting.council,
            location=meeting.location,
            summary=summary,
            people=[PersonInput(person_id=meeting.child_id, role=SubjectRole.CHILD)],
            added_recipients=list(recipients),
            added_route=Route.INVITED,
            # What changed, in words, for an inbox row that would otherwise read as the invitation again.
            details={"meeting": str(meeting.pk), "meeting_change": ChangeKind(kind).label.lower()},
        ),
    )
    change = MeetingChange.objects.create(
        meeting=meeting,
        kind=kind,
        event=recorded.event,
        recorded_at=recorded.event.recorded_at,
        recorded_by_label=actor.label,
        **fields,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="meeting",
        object_id=meeting.pk,
        person_id=meeting.child_id,
        reason=audit_reason,
        detail=audit_detail,
    )
    return change, {share.recipient.pk: share for share in recorded.shares}


def _invited(meeting: Meeting) -> list[Organisation]:
    return [invitation.organisation for invitation in meeting.invitations.select_related("organisation")]


def meeting_reschedule(
    *,
    actor: Actor,
    meeting: Meeting,
    scheduled_for: dt.datetime | None,
    location: str | None = None,
    reason: str = "",
) -> Meeting:
    """Move a meeting to another date and time (and, if given, place), telling every agency invited. The
    statutory deadline does not move with it: a meeting moved past it shows as late."""
    _may_change(actor, meeting)
    errors: dict[str, str] = {}
    _check_when(scheduled_for, "scheduled_for", errors, past=False)
    if not errors and scheduled_for is not None and scheduled_for <= timezone.now():
        errors["scheduled_for"] = "The new date and time must be in the future"
    elif (
        not errors
        and scheduled_for == meeting.scheduled_for
        and (location or "").strip() in ("", meeting.location)
    ):
        errors["scheduled_for"] = "Enter a different date or time, or a different place"
    if errors:
        raise InvalidInput(errors)
    assert scheduled_for is not None
    with transaction.atomic():
        current = _locked_open(meeting, "scheduled_for")
        before = current.scheduled_for
        current.scheduled_for = scheduled_for
        if location is not None and location.strip():
            current.location = location.strip()
        current.full_clean()
        current.save(update_fields=["scheduled_for", "location"])
        summary = (
            f"{_describe(current)} has moved from {govuk_datetime(before)} to {govuk_datetime(scheduled_for)}"
        )
        summary += f", {current.location}." if current.location else "."
        summary += f" Reason: {reason.strip()}" if reason.strip() else ""
        _share_change(
            actor,
            current,
            kind=ChangeKind.RESCHEDULED,
            summary=summary,
            recipients=_invited(current),
            audit_reason=f"moved {current.reference}",
            audit_detail={"from": before.isoformat(), "to": scheduled_for.isoformat()},
            previous_scheduled_for=before,
            scheduled_for=scheduled_for,
            reason=reason.strip(),
        )
    meeting.scheduled_for, meeting.location = current.scheduled_for, current.location
    return current


def meeting_cancel(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting that has not been held, with the reason, telling every agency invited. Stops no clock:
    what the meeting was for is still due until a meeting of its kind is held."""
    _may_change(actor, meeting)
    if not reason.strip():
        raise InvalidInput({"reason": "Enter why the meeting is cancelled"})
    with transaction.atomic():
        current = _locked_open(meeting, "reason")
        current.cancelled_at = timezone.now()
        current.cancelled_by_label = actor.label
        current.cancellation_reason = reason.strip()
        current.full_clean()
        current.save(update_fields=["cancelled_at", "cancelled_by_label", "cancellation_reason"])
        summary = (
            f"{_describe(current)} on {govuk_datetime(current.scheduled_for)} is cancelled. "
            f"Reason: {reason.strip()}"
        )
        _share_change(
            actor,
            current,
            kind=ChangeKind.CANCELLED,
            summary=summary,
            recipients=_invited(current),
            audit_reason=f"cancelled {current.reference}",
            audit_detail={"reason": reason.strip()},
            reason=reason.strip(),
        )
    return current


def meeting_invite(*, actor: Actor, meeting: Meeting, invited: Sequence[Organisation]) -> Meeting:
    """Invite more agencies to a meeting not yet held. Each new agency gets the invitation (a share, as the
    first agencies did) and is asked for its report; its attendance is recorded with the others'. Every agency
    already invited is told who was added."""
    _may_change(actor, meeting)
    errors: dict[str, str] = {}
    already = {invitation.organisation_id for invitation in meeting.invitations.all()}
    added: dict[int, Organisation] = {}
    for organisation in invited:
        if organisation.kind in NOT_INVITABLE:
            errors["invited"] = f"{organisation.name} cannot be invited to a meeting about a child"
        elif organisation.pk == meeting.council_id:
            errors["invited"] = f"{organisation.name} convened the meeting"
        elif organisation.pk in already:
            errors["invited"] = f"{organisation.name} is already invited"
        else:
            added.setdefault(organisation.pk, organisation)
    if not errors and not added:
        errors["invited"] = "Choose at least one agency to invite"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        current = _locked_open(meeting, "invited")
        # Asked again under the lock: another request may have invited one of them a moment ago.
        raced = [org.name for org in added.values() if current.invitations.filter(organisation=org).exists()]
        if raced:
            raise InvalidInput({"invited": f"{', '.join(raced)} is already invited"})
        names = ", ".join(organisation.name for organisation in added.values())
        summary = f"{_describe(current)} on {govuk_datetime(current.scheduled_for)}"
        summary += f", {current.location}" if current.location else ""
        summary += f". {current.purpose}" if current.purpose else "."
        summary += f" Now also invited: {names}. {REPORT_ASKED}"
        # Everyone invited before hears who was added; each new agency's share is its invitation.
        _, shares = _share_change(
            actor,
            current,
            kind=ChangeKind.INVITED,
            summary=summary,
            recipients=[*_invited(current), *added.values()],
            audit_reason=f"invited more agencies to {current.reference}",
            audit_detail={"invited": sorted(organisation.code for organisation in added.values())},
            added=sorted(organisation.code for organisation in added.values()),
        )
        referrer_ids = referrers(current.child)
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(
                meeting=current,
                organisation=organisation,
                role_expected=role_expected(organisation, referrer_ids),
                share=shares.get(organisation.pk),
            )
            for organisation in added.values()
        )
    return current


def birth_record(
    *,
    actor: Actor,
    child: Person,
    date_of_birth: dt.date | None,
    given_name: str = "",
    family_name: str = "",
) -> Person:
    """Record that an unborn child has been born, and in the same transaction bring forward the clocks the
    birth shortens: the first review after a pre-birth conference is due by the sooner of its own deadline and
    the area's figure after the birth (default 10 working days; clocks.starts.BROUGHT_FORWARD_BY_BIRTH)."""
    with transaction.atomic():
        person = person_birth_record(
            actor=actor,
            person=child,
            date_of_birth=date_of_birth,
            given_name=given_name,
            family_name=family_name,
        )
        starts.bring_forward_for_birth(actor=actor, person=person)
    return person
