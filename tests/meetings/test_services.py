"""Convening meetings, reports, attendance and outcomes, and the statutory clocks they stop and start."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from openmash.audit.models import AuditEntry
from openmash.clocks import engine
from openmash.clocks import services as clocks
from openmash.clocks.models import Clock
from openmash.events.models import Event, EventKind
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.meetings import selectors, services
from openmash.meetings.models import AgencyReport, EvidentialInterview, Meeting, MeetingKind, Participation
from openmash.people import selectors as people_selectors
from openmash.sharing.models import Delivery, Route, Share
from tests.meetings.conftest import all_but_one_attended, everyone_attended, soon

pytestmark = pytest.mark.django_db


def test_it_invites_the_covering_police_force_even_when_not_chosen(cast, actor):
    meeting = services.strategy_discussion_convene(
        actor=actor("social.worker"),
        child=cast.people["Amelia Hart"],
        scheduled_for=soon(),
        invited=[cast.organisations["health"]],
    )
    invited = {i.organisation.code: i for i in meeting.invitations.select_related("organisation", "share")}
    assert set(invited) == {cast.organisations["police"].code, cast.organisations["health"].code}
    police = invited[cast.organisations["police"].code]
    assert police.role_expected == "Police (public protection)"
    # Each invitation is a share, routed as an invitation and queued for delivery like any other event.
    assert police.share is not None and police.share.route == Route.INVITED
    assert police.share.event.kind == EventKind.STRATEGY_DISCUSSION
    assert Delivery.objects.filter(share=police.share, channel="inbox").exists()
    assert meeting.event.reference == meeting.reference and meeting.reference.startswith("SD-")


@pytest.mark.parametrize(
    "kind", ["strategy-discussion", "initial-conference", "review-conference", "pre-birth-conference"]
)
def test_it_invites_police_to_every_class_of_meeting(cast, actor, kind, initial_conference, unborn):
    worker = actor("social.worker")
    health = [cast.organisations["health"]]
    if kind == "strategy-discussion":
        meeting = services.strategy_discussion_convene(
            actor=worker, child=cast.people["Amelia Hart"], scheduled_for=soon(), invited=health
        )
    elif kind == "pre-birth-conference":
        meeting = services.conference_schedule(
            actor=worker, kind=kind, child=unborn, scheduled_for=soon(), invited=health
        )
    elif kind == "initial-conference":
        meeting = initial_conference
    else:
        services.conference_record_outcome(
            actor=worker,
            meeting=initial_conference,
            held_at=timezone.now(),
            attendance=everyone_attended(initial_conference),
            plan=True,
            categories=["physical"],
        )
        meeting = services.conference_schedule(
            actor=worker,
            kind=kind,
            child=cast.people["Amelia Hart"],
            scheduled_for=soon(),
            invited=[],
            previous=initial_conference,
        )
    assert meeting.invitations.filter(organisation=cast.organisations["police"]).exists()


def test_the_pre_birth_invitation_reaches_police_and_lets_them_see_the_unborn_child(cast, actor, unborn):
    police = actor("police.ppu")
    assert people_selectors.reason_to_see(police, unborn.pk) is None
    services.conference_schedule(
        actor=actor("social.worker"),
        kind="pre-birth-conference",
        child=unborn,
        scheduled_for=soon(),
        invited=[],
    )
    assert Share.objects.filter(recipient=cast.organisations["police"], people=unborn).exists()
    assert people_selectors.reason_to_see(police, unborn.pk) is not None


def test_it_refuses_a_pre_birth_conference_for_a_born_child_and_writes_nothing(cast, actor):
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as raised:
        services.conference_schedule(
            actor=actor("social.worker"),
            kind="pre-birth-conference",
            child=cast.people["Amelia Hart"],
            scheduled_for=soon(),
        )
    assert "kind" in raised.value.errors
    assert Event.objects.count() == before and not Meeting.objects.exists()


def test_an_initial_conference_needs_the_strategy_discussion_that_started_s47(
    cast, actor, strategy_discussion
):
    with pytest.raises(InvalidInput) as raised:
        services.conference_schedule(
            actor=actor("social.worker"),
            kind="initial-conference",
            child=cast.people["Amelia Hart"],
            scheduled_for=soon(),
            strategy_discussion=strategy_discussion,  # not yet held: no s47 decision
        )
    assert "strategy_discussion" in raised.value.errors


def test_it_refuses_a_council_with_no_reason_to_see_the_child(cast, actor):
    with pytest.raises(InvalidInput) as raised:
        services.strategy_discussion_convene(
            actor=actor("bury.social.worker"), child=cast.people["Amelia Hart"], scheduled_for=soon()
        )
    assert "child" in raised.value.errors
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("username", ["police.ppu", "school.dsl", "council.admin"])
def test_only_council_practitioners_convene(cast, actor, username):
    with pytest.raises(NotAllowed):
        services.strategy_discussion_convene(
            actor=actor(username), child=cast.people["Amelia Hart"], scheduled_for=soon()
        )


def test_non_attendance_without_a_reason_is_refused_and_nothing_is_saved(cast, actor, strategy_discussion):
    police = cast.organisations["police"]
    attendance = all_but_one_attended(strategy_discussion, police.pk, Participation.DID_NOT_TAKE_PART)
    events, audits = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as raised:
        services.strategy_discussion_record_outcome(
            actor=actor("social.worker"),
            meeting=strategy_discussion,
            held_at=timezone.now(),
            attendance=attendance,
            s47_decision=True,
            decision_reasons="Injury to a non-mobile child",
            s47_started_on=timezone.localdate(),
        )
    assert f"attendance.{police.pk}.reason" in raised.value.errors
    strategy_discussion.refresh_from_db()
    assert strategy_discussion.held_at is None and strategy_discussion.s47_decision is None
    assert set(strategy_discussion.invitations.values_list("participation", flat=True)) == {""}
    assert Event.objects.count() == events and AuditEntry.objects.count() == audits
    assert not Clock.objects.filter(rule="initial-conference").exists()


def test_written_information_only_also_needs_a_reason(cast, actor, strategy_discussion):
    attendance = [
        services.AttendanceInput(organisation_id=i.organisation_id, participation=Participation.WRITTEN_ONLY)
        for i in strategy_discussion.invitations.all()
    ]
    with pytest.raises(InvalidInput) as raised:
        services.strategy_discussion_record_outcome(
            actor=actor("social.worker"),
            meeting=strategy_discussion,
            held_at=timezone.now(),
            attendance=attendance,
            s47_decision=False,
            decision_reasons="Accidental injury, explained",
        )
    assert len([key for key in raised.value.errors if key.endswith(".reason")]) == 3


def test_every_invited_agency_must_be_accounted_for(cast, actor, strategy_discussion):
    with pytest.raises(InvalidInput) as raised:
        services.strategy_discussion_record_outcome(
            actor=actor("social.worker"),
            meeting=strategy_discussion,
            held_at=timezone.now(),
            attendance=[],
            s47_decision=False,
            decision_reasons="No concerns",
        )
    police = cast.organisations["police"].pk
    assert f"attendance.{police}.participation" in raised.value.errors


def test_holding_a_strategy_discussion_stops_its_clock_and_s47_starts_the_conference_clock(
    cast, actor, strategy_discussion
):
    child, council = cast.people["Amelia Hart"], cast.organisations["council"]
    decided = timezone.now() - dt.timedelta(hours=3)
    waiting = clocks.clock_start(
        rule="strategy-discussion",
        started_at=decided,
        organisation=council,
        subject_type="share",
        subject_id="test-share",
        person=child,
    )
    held = timezone.now() - dt.timedelta(hours=1)
    services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=held,
        attendance=everyone_attended(strategy_discussion),
        s47_decision=True,
        decision_reasons="Disclosure at school",
        s47_started_on=timezone.localdate(),
        actions="Police and social worker to visit",
    )
    waiting.refresh_from_db()
    assert waiting.stopped_at == held and waiting.met
    conference_clock = Clock.objects.get(rule="initial-conference", person=child)
    assert conference_clock.started_at == held
    assert conference_clock.due_at == engine.due("initial-conference", held, nation="england")
    assert conference_clock.organisation == council
    strategy_discussion.refresh_from_db()
    assert strategy_discussion.s47_started_on == timezone.localdate()
    # The outcome is shared with every agency invited.
    outcome = strategy_discussion.outcome_event
    assert outcome is not None and "Section 47 enquiries to start" in outcome.summary
    assert outcome.shares.count() == strategy_discussion.invitations.count()


def test_a_late_strategy_discussion_needs_the_reason_for_the_delay(cast, actor, strategy_discussion):
    child, council = cast.people["Amelia Hart"], cast.organisations["council"]
    waiting = clocks.clock_start(
        rule="strategy-discussion",
        started_at=timezone.now() - dt.timedelta(days=10),
        organisation=council,
        subject_type="share",
        subject_id="late-share",
        person=child,
    )
    arguments = {
        "actor": actor("social.worker"),
        "meeting": strategy_discussion,
        "held_at": timezone.now(),
        "attendance": everyone_attended(strategy_discussion),
        "s47_decision": False,
        "decision_reasons": "Concerns not substantiated",
    }
    with pytest.raises(InvalidInput) as raised:
        services.strategy_discussion_record_outcome(**arguments)
    assert "delay_reason" in raised.value.errors
    strategy_discussion.refresh_from_db()
    waiting.refresh_from_db()
    assert strategy_discussion.held_at is None and waiting.stopped_at is None
    services.strategy_discussion_record_outcome(**arguments, delay_reason="Police unavailable until Monday")
    waiting.refresh_from_db()
    assert waiting.breached_at is not None and waiting.breach_reason == "Police unavailable until Monday"


def test_an_initial_conference_with_a_plan_starts_core_group_and_review_clocks(
    cast, actor, initial_conference
):
    child = cast.people["Amelia Hart"]
    police = cast.organisations["police"]
    attendance = all_but_one_attended(
        initial_conference, police.pk, Participation.WRITTEN_ONLY, "Officer on a court day"
    )
    held = timezone.now()
    services.conference_record_outcome(
        actor=actor("social.worker"),
        meeting=initial_conference,
        held_at=held,
        attendance=attendance,
        plan=True,
        categories=["physical", "emotional"],
        actions="Core group to meet",
    )
    stopped = Clock.objects.get(rule="initial-conference", person=child)
    assert stopped.stopped_at == held and stopped.met
    core = Clock.objects.get(rule="core-group", person=child)
    review = Clock.objects.get(rule="first-review-conference", person=child)
    assert core.due_at == engine.due("core-group", held, nation="england")
    assert review.due_at == engine.due("first-review-conference", held, nation="england")
    assert review.due_at.date() >= (held + dt.timedelta(days=89)).date()
    invitation = initial_conference.invitations.get(organisation=police)
    assert invitation.participation == Participation.WRITTEN_ONLY
    assert invitation.non_attendance_reason == "Officer on a court day"
    initial_conference.refresh_from_db()
    assert initial_conference.category_labels == ["Physical abuse", "Emotional abuse"]


def test_a_plan_needs_a_category_of_abuse(cast, actor, initial_conference):
    with pytest.raises(InvalidInput) as raised:
        services.conference_record_outcome(
            actor=actor("social.worker"),
            meeting=initial_conference,
            held_at=timezone.now(),
            attendance=everyone_attended(initial_conference),
            plan=True,
            categories=[],
        )
    assert "categories" in raised.value.errors
    assert not Clock.objects.filter(rule="core-group").exists()


def test_no_plan_starts_no_clocks(cast, actor, initial_conference):
    services.conference_record_outcome(
        actor=actor("social.worker"),
        meeting=initial_conference,
        held_at=timezone.now(),
        attendance=everyone_attended(initial_conference),
        plan=False,
    )
    assert not Clock.objects.filter(rule__in=["core-group", "first-review-conference"]).exists()


def test_core_group_and_review_meet_their_clocks_and_reviews_run_every_six_months(
    cast, actor, initial_conference
):
    worker, child = actor("social.worker"), cast.people["Amelia Hart"]
    services.conference_record_outcome(
        actor=worker,
        meeting=initial_conference,
        held_at=timezone.now() - dt.timedelta(minutes=30),
        attendance=everyone_attended(initial_conference),
        plan=True,
        categories=["neglect"],
    )
    core = services.core_group_record(
        actor=worker,
        conference=initial_conference,
        held_at=timezone.now() - dt.timedelta(minutes=10),
        attendance=everyone_attended(initial_conference),
        actions="Health visitor weekly",
    )
    assert core.kind == MeetingKind.CORE_GROUP and core.held_at is not None
    assert Clock.objects.get(rule="core-group", person=child).met
    review = services.conference_schedule(
        actor=worker,
        kind="review-conference",
        child=child,
        scheduled_for=soon(),
        previous=initial_conference,
    )
    held = timezone.now()
    services.conference_record_outcome(
        actor=worker,
        meeting=review,
        held_at=held,
        attendance=everyone_attended(review),
        plan=True,
        categories=["neglect"],
    )
    assert Clock.objects.get(rule="first-review-conference", person=child).met
    later = Clock.objects.get(rule="review-conference", person=child)
    assert later.stopped_at is None
    assert later.due_at == engine.due("review-conference", held, nation="england")


def test_an_invited_agency_sends_its_report_and_a_late_one_is_flagged(cast, actor, strategy_discussion):
    report = services.agency_report_submit(
        actor=actor("police.ppu"), meeting=strategy_discussion, text="Two previous call-outs"
    )
    assert report.late is False and report.invitation.organisation == cast.organisations["police"]
    with pytest.raises(InvalidInput):
        services.agency_report_submit(actor=actor("police.ppu"), meeting=strategy_discussion, text="Again")
    with time_machine.travel(strategy_discussion.scheduled_for + dt.timedelta(hours=1)):
        late = services.agency_report_submit(
            actor=actor("health.practitioner"), meeting=strategy_discussion, text="Missed appointments"
        )
    assert late.late is True


def test_an_agency_not_invited_cannot_send_a_report(cast, actor, strategy_discussion):
    for username in ("bury.social.worker", "inspector"):
        with pytest.raises(NotAllowed):
            services.agency_report_submit(actor=actor(username), meeting=strategy_discussion, text="x")
    with pytest.raises(InvalidInput):
        services.agency_report_submit(actor=actor("police.ppu"), meeting=strategy_discussion, text="  ")
    assert not AgencyReport.objects.exists()


def test_an_evidential_interview_is_requested_and_its_delay_measured(cast, actor, strategy_discussion):
    held = timezone.now() - dt.timedelta(days=3)
    services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=held,
        attendance=everyone_attended(strategy_discussion),
        s47_decision=True,
        decision_reasons="Disclosure",
        s47_started_on=timezone.localtime(held).date(),
        evidential_interview_requested=True,
        evidential_interview_target=timezone.localtime(held).date() + dt.timedelta(days=2),
    )
    interview = EvidentialInterview.objects.get(strategy_discussion=strategy_discussion)
    assert interview.requested_at == held and interview.is_open
    with pytest.raises(NotAllowed):
        services.evidential_interview_record(actor=actor("health.practitioner"), interview=interview)
    with pytest.raises(InvalidInput):
        services.evidential_interview_record(actor=actor("police.ppu"), interview=interview)
    interviewed = timezone.now() - dt.timedelta(hours=2)
    services.evidential_interview_record(actor=actor("police.ppu"), interview=interview, held_at=interviewed)
    interview.refresh_from_db()
    assert interview.held_at == interviewed
    assert interview.held_at - interview.requested_at > dt.timedelta(days=2)  # the delay, measured
    assert interview.event is not None and interview.event.kind == EventKind.EVIDENTIAL_INTERVIEW
    assert interview.event.shares.filter(recipient=cast.organisations["council"]).exists()


def test_non_attendance_is_counted_by_agency_and_class_of_meeting(cast, actor, strategy_discussion):
    police = cast.organisations["police"]
    services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=timezone.now(),
        attendance=all_but_one_attended(
            strategy_discussion, police.pk, Participation.DID_NOT_TAKE_PART, "No officer available"
        ),
        s47_decision=False,
        decision_reasons="Single agency response",
    )
    rows = selectors.attendance_counts(actor=actor("team.manager"))
    police_row = next(row for row in rows if row.organisation == police)
    assert (police_row.kind_label, police_row.invited, police_row.did_not_take_part) == (
        "Strategy discussion",
        1,
        1,
    )
    assert police_row.absent_percent == 100
    health_row = next(row for row in rows if row.organisation == cast.organisations["health"])
    assert health_row.attended == 1 and health_row.absent == 0
