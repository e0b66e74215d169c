"""Moving, cancelling and inviting more agencies to a meeting after it was convened: each change reaches every
agency invited as a share, the clocks stay honest, and only the convening council may change it."""

import datetime as dt

import pytest
from django.utils import timezone

from openmash.audit.models import AuditEntry
from openmash.clocks import services as clocks
from openmash.clocks.models import Clock
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.meetings import changes, services
from openmash.meetings.models import ChangeKind, Meeting, MeetingChange, MeetingInvitation, Participation
from openmash.meetings.selectors import meeting_deadline
from openmash.sharing.models import Delivery, Route, Share
from tests.meetings.conftest import everyone_attended, soon

pytestmark = pytest.mark.django_db


def _shares_of(change: MeetingChange) -> dict[str, Share]:
    return {share.recipient.code: share for share in Share.objects.filter(event=change.event)}


def _codes(meeting: Meeting) -> set[str]:
    return {invitation.organisation.code for invitation in meeting.invitations.all()}


def test_moving_a_meeting_tells_every_agency_invited_and_is_audited(cast, actor, strategy_discussion):
    new_time = timezone.now() + dt.timedelta(days=3)
    moved = changes.meeting_reschedule(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        scheduled_for=new_time,
        location="Video call",
        reason="Police officer in court",
    )
    assert moved.scheduled_for == new_time and moved.location == "Video call"
    change = MeetingChange.objects.get(meeting=strategy_discussion)
    assert change.kind == ChangeKind.RESCHEDULED and change.reason == "Police officer in court"
    shares = _shares_of(change)
    assert set(shares) == _codes(strategy_discussion)  # police, health, school; never the council itself
    assert all(share.route == Route.INVITED for share in shares.values())
    assert "has moved from" in shares[cast.organisations["police"].code].event.summary
    # Delivered like every share: one delivery per channel the recipient has, queued in the same transaction.
    assert Delivery.objects.filter(share__in=shares.values()).exists()
    assert AuditEntry.objects.filter(object_type="meeting", reason__startswith="moved").exists()


def test_moving_keeps_the_statutory_deadline_and_a_move_past_it_shows_late(cast, actor, strategy_discussion):
    child = strategy_discussion.child
    clock = clocks.clock_start(
        rule="strategy-discussion",
        started_at=timezone.now(),
        organisation=strategy_discussion.council,
        subject_type="test",
        subject_id="sd-clock",
        person=child,
    )
    due = clock.due_at
    later = clock.due_at + dt.timedelta(days=2)
    changes.meeting_reschedule(actor=actor("social.worker"), meeting=strategy_discussion, scheduled_for=later)
    clock.refresh_from_db()
    assert clock.due_at == due and clock.stopped_at is None
    deadline = meeting_deadline(Meeting.objects.get(pk=strategy_discussion.pk))
    assert deadline is not None and deadline.due_at == due and deadline.scheduled_late


def test_moving_needs_a_future_time_that_differs(cast, actor, strategy_discussion):
    worker = actor("social.worker")
    with pytest.raises(InvalidInput) as past:
        changes.meeting_reschedule(
            actor=worker, meeting=strategy_discussion, scheduled_for=timezone.now() - dt.timedelta(hours=1)
        )
    assert "scheduled_for" in past.value.errors
    with pytest.raises(InvalidInput) as same:
        changes.meeting_reschedule(
            actor=worker, meeting=strategy_discussion, scheduled_for=strategy_discussion.scheduled_for
        )
    assert same.value.errors["scheduled_for"] == ["Enter a different date or time, or a different place"]
    assert not MeetingChange.objects.exists()


def test_cancelling_needs_a_reason_tells_everyone_and_stops_no_clock(cast, actor, strategy_discussion):
    worker = actor("social.worker")
    clock = clocks.clock_start(
        rule="strategy-discussion",
        started_at=timezone.now(),
        organisation=strategy_discussion.council,
        subject_type="test",
        subject_id="sd-clock",
        person=strategy_discussion.child,
    )
    with pytest.raises(InvalidInput) as missing:
        changes.meeting_cancel(actor=worker, meeting=strategy_discussion, reason="  ")
    assert missing.value.errors == {"reason": ["Enter why the meeting is cancelled"]}
    cancelled = changes.meeting_cancel(actor=worker, meeting=strategy_discussion, reason="Family moved away")
    assert cancelled.is_cancelled and cancelled.cancellation_reason == "Family moved away"
    change = MeetingChange.objects.get(meeting=strategy_discussion, kind=ChangeKind.CANCELLED)
    assert set(_shares_of(change)) == _codes(strategy_discussion)
    assert "is cancelled. Reason: Family moved away" in _shares_of(change)["URN-900001"].event.summary
    clock.refresh_from_db()
    assert clock.stopped_at is None  # still due: cancelling stops nothing silently

    # Nothing more can happen to a cancelled meeting: no move, no outcome, no report.
    with pytest.raises(InvalidInput) as moved:
        changes.meeting_reschedule(actor=worker, meeting=cancelled, scheduled_for=soon())
    assert "cancelled" in moved.value.errors["scheduled_for"][0]
    with pytest.raises(InvalidInput) as held:
        services.strategy_discussion_record_outcome(
            actor=worker,
            meeting=cancelled,
            held_at=timezone.now() - dt.timedelta(minutes=5),
            attendance=everyone_attended(cancelled),
            s47_decision=False,
            decision_reasons="x",
        )
    assert "cancelled" in held.value.errors["held_at"][0]
    with pytest.raises(InvalidInput):
        services.agency_report_submit(actor=actor("police.officer"), meeting=cancelled, text="Checks")

    # Another strategy discussion, convened and held, meets the clock the cancelled one left open.
    again = services.strategy_discussion_convene(
        actor=worker, child=strategy_discussion.child, scheduled_for=soon(), invited=[]
    )
    services.strategy_discussion_record_outcome(
        actor=worker,
        meeting=again,
        held_at=timezone.now(),
        attendance=everyone_attended(again),
        s47_decision=False,
        decision_reasons="Concerns addressed",
    )
    clock.refresh_from_db()
    assert clock.met


def test_an_agency_added_gets_the_invitation_and_is_counted_like_the_others(cast, actor, strategy_discussion):
    worker = actor("social.worker")
    health = cast.organisations["health"]
    school = cast.organisations["school"]
    # A meeting convened with health only; the school is added afterwards.
    meeting = services.strategy_discussion_convene(
        actor=worker, child=strategy_discussion.child, scheduled_for=soon(), invited=[health]
    )
    before = _codes(meeting)
    changes.meeting_invite(actor=worker, meeting=meeting, invited=[school])
    assert _codes(meeting) == before | {school.code}
    change = MeetingChange.objects.get(meeting=meeting, kind=ChangeKind.INVITED)
    assert change.added == [school.code]
    shares = _shares_of(change)
    assert set(shares) == before | {school.code}  # everyone hears; the school's share is its invitation
    added = MeetingInvitation.objects.get(meeting=meeting, organisation=school)
    assert added.share == shares[school.code] and added.role_expected == "Designated safeguarding lead"
    assert "Now also invited: Riverside Primary School (demo)" in added.share.event.summary

    # The school sends its report and its attendance must be recorded with everyone else's.
    services.agency_report_submit(actor=actor("school.dsl"), meeting=meeting, text="Attendance 82%")
    with pytest.raises(InvalidInput) as missing:
        services.strategy_discussion_record_outcome(
            actor=worker,
            meeting=meeting,
            held_at=timezone.now(),
            attendance=[
                services.AttendanceInput(
                    organisation_id=i.organisation_id, participation=Participation.ATTENDED
                )
                for i in meeting.invitations.exclude(organisation=school)
            ],
            s47_decision=False,
            decision_reasons="x",
        )
    assert f"attendance.{school.pk}.participation" in missing.value.errors


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("inspectorate", "cannot be invited to a meeting about a child"),
        ("council", "convened the meeting"),
        ("police", "is already invited"),
    ],
)
def test_it_refuses_an_agency_that_cannot_be_added_and_writes_nothing(
    cast, actor, strategy_discussion, key, why
):
    organisation = cast.organisations[key]
    with pytest.raises(InvalidInput) as refused:
        changes.meeting_invite(
            actor=actor("social.worker"), meeting=strategy_discussion, invited=[organisation]
        )
    assert refused.value.errors == {"invited": [f"{organisation.name} {why}"]}
    assert not MeetingChange.objects.exists()
    assert not Share.objects.filter(recipient=organisation, event__meeting_change__isnull=False).exists()


@pytest.mark.parametrize("username", ["police.officer", "school.dsl", "bury.social.worker", "council.admin"])
def test_only_the_convening_councils_practitioners_change_a_meeting(
    cast, actor, strategy_discussion, username
):
    someone = actor(username)
    with pytest.raises(NotAllowed):
        changes.meeting_reschedule(actor=someone, meeting=strategy_discussion, scheduled_for=soon())
    with pytest.raises(NotAllowed):
        changes.meeting_cancel(actor=someone, meeting=strategy_discussion, reason="x")
    with pytest.raises(NotAllowed):
        changes.meeting_invite(
            actor=someone, meeting=strategy_discussion, invited=[cast.organisations["health"]]
        )
    assert not MeetingChange.objects.exists()


def test_a_held_meeting_cannot_be_changed(cast, actor, s47_started):
    with pytest.raises(InvalidInput) as refused:
        changes.meeting_cancel(actor=actor("social.worker"), meeting=s47_started, reason="x")
    assert refused.value.errors == {"reason": ["This meeting has been held: it can no longer be changed"]}


def test_the_invitee_inbox_lists_each_change(cast, actor, strategy_discussion):
    worker = actor("social.worker")
    changes.meeting_reschedule(
        actor=worker, meeting=strategy_discussion, scheduled_for=soon() + dt.timedelta(hours=1)
    )
    changes.meeting_cancel(actor=worker, meeting=strategy_discussion, reason="Family moved away")
    police = cast.organisations["police"]
    contents = list(
        Share.objects.filter(recipient=police).order_by("shared_at").values_list("event__summary", flat=True)
    )
    assert any("has moved from" in text for text in contents)
    assert any("is cancelled" in text for text in contents)
    assert Clock.objects.filter(person=strategy_discussion.child, stopped_at__isnull=False).count() == 0
