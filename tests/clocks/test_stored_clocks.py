"""Stored clocks: started by the events and decisions that start them, met or breached with a reason, swept
and escalated when they run out, and counted with an area's own figure where it has one."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.clocks import services
from openmash.clocks.models import AreaClockSetting, Clock
from openmash.clocks.selectors import Group, Scope, deadlines, escalation_count, open_clocks
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.recording.decisions import share_acknowledge
from openmash.sharing.models import Decision

LONDON = ZoneInfo("Europe/London")


def end_of(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=LONDON)


def test_police_protection_starts_the_72_hours_and_the_councils_duty(cast, police_protection):
    taken = dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON)
    recorded = police_protection(taken_at=taken)
    amelia = cast.people["Amelia Hart"]
    maximum = Clock.objects.get(rule="police-protection-max", person=amelia)
    assert maximum.organisation == cast.organisations["police"]
    assert maximum.owner == cast.users["police.officer"]
    assert maximum.due_at == taken + dt.timedelta(hours=72)
    assert maximum.event == recorded.event
    duty = Clock.objects.get(rule="strategy-discussion", person=amelia)
    # Found in Thornaby (Stockton-on-Tees): that council's enquiry duty starts when it is told.
    assert duty.organisation == cast.organisations["council"]
    assert duty.started_at == recorded.event.recorded_at
    assert duty.due_at > duty.started_at
    assert duty.figure == "1 working day" and duty.area_setting == ""


def test_domestic_abuse_incident_starts_no_case_clock(record_incident):
    record_incident()
    # Its deadlines are the shares' own; the only clocks are the police's notifications, met or missed as
    # they were sent (one for the council, one for the school), recorded against the police.
    assert not Clock.objects.exclude(subject_type="share", stopped_at__isnull=False).exists()
    assert set(Clock.objects.values_list("organisation__code", "rule")) == {
        ("E23000013", "da-notification"),
        ("E23000013", "encompass"),
    }


def test_a_front_door_decision_starts_the_clock_of_the_work_decided(cast, record_incident):
    recorded = record_incident()
    share = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    mash = actor_for_user(cast.users["mash.practitioner"])
    share_acknowledge(actor=mash, share=share, decision=Decision.ASSESSMENT, reasons="Second call-out")
    clocks = Clock.objects.filter(rule="assessment")
    # One clock per child on the share (Amelia and Ivy), none for their mother.
    assert sorted(c.person.given_name for c in clocks) == ["Amelia", "Ivy"]
    for clock in clocks:
        assert clock.started_at == share.shared_at  # counted from the referral's arrival
        assert clock.owner == cast.users["mash.practitioner"]
        assert clock.organisation == cast.organisations["council"]
        # 45 working days from Mon 23 Nov 2026 (Christmas, Boxing Day substitute and New Year skipped).
        assert clock.figure == "45 working days"


def test_no_further_action_starts_nothing(cast, record_incident):
    recorded = record_incident()
    share = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    share_acknowledge(
        actor=actor_for_user(cast.users["mash.practitioner"]),
        share=share,
        decision=Decision.NO_FURTHER_ACTION,
        reasons="Already known; plan in place",
    )
    assert not Clock.objects.filter(organisation=cast.organisations["council"]).exists()


def test_clock_start_is_idempotent_per_rule_subject_and_child(cast):
    kwargs = dict(
        rule="return-interview",
        started_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="found-report",
        subject_id="abc",
        person=cast.people["Leo Marsh"],
    )
    first = services.clock_start(**kwargs)
    again = services.clock_start(**{**kwargs, "started_at": dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)})
    assert again.pk == first.pk and again.started_at == first.started_at
    assert first.due_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)  # 72 elapsed hours


def test_stopping_in_time_is_met_and_late_needs_a_reason(cast):
    worker = actor_for_user(cast.users["social.worker"])
    clock = services.clock_start(
        rule="serious-incident",
        started_at=dt.datetime(2026, 12, 21, 10, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="serious-incident",
        subject_id="SI-1",
        person=cast.people["Amelia Hart"],
    )
    # Mon 21 Dec: 22, 23, 24, 29 (25, 28 bank holidays), 30 Dec.
    assert clock.due_at == end_of(2026, 12, 30)
    late = dt.datetime(2026, 12, 31, 9, 0, tzinfo=LONDON)
    with pytest.raises(InvalidInput) as error:
        services.clock_stop(actor=worker, clock=clock, at=late)
    assert "breach_reason" in error.value.errors
    clock.refresh_from_db()
    assert clock.stopped_at is None  # nothing half-saved
    stopped = services.clock_stop(actor=worker, clock=clock, at=late, breach_reason="Panel portal down")
    assert not stopped.met and stopped.breached_at == stopped.due_at
    assert stopped.breach_reason == "Panel portal down"
    assert AuditEntry.objects.filter(object_type="clock", object_id=str(clock.pk)).exists()

    on_time = services.clock_start(
        rule="serious-incident",
        started_at=dt.datetime(2026, 12, 21, 10, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="serious-incident",
        subject_id="SI-2",
    )
    met = services.clock_stop(actor=worker, clock=on_time, at=dt.datetime(2026, 12, 30, 23, 0, tzinfo=LONDON))
    assert met.met and met.breached_at is None and met.breach_reason == ""


def test_a_stop_cannot_come_before_the_start(cast):
    clock = services.clock_start(
        rule="assessment",
        started_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=LONDON),
        organisation=cast.organisations["council"],
        subject_type="test",
        subject_id="1",
    )
    with pytest.raises(InvalidInput):
        services.clock_stop(
            actor=actor_for_user(cast.users["social.worker"]),
            clock=clock,
            at=dt.datetime(2026, 11, 19, 10, 0, tzinfo=LONDON),
        )


def test_the_sweep_marks_breaches_once_and_escalates_to_team_managers(cast, police_protection):
    police_protection(taken_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON))
    maximum = Clock.objects.get(rule="police-protection-max")
    assert services.clocks_sweep_breaches(now=maximum.due_at - dt.timedelta(seconds=1)) == 0
    after = maximum.due_at + dt.timedelta(minutes=5)
    swept = services.clocks_sweep_breaches(now=after)
    assert swept >= 1
    maximum.refresh_from_db()
    assert maximum.breached_at == maximum.due_at and maximum.escalated_at == after
    assert services.clocks_sweep_breaches(now=after + dt.timedelta(hours=1)) == 0  # once only
    with time_machine.travel(after, tick=False):
        escalated = deadlines(actor=actor_for_user(cast.users["police.officer"]), scope=Scope.ORGANISATION)
    assert str(maximum.pk) in [item.work_id for item in escalated.overdue]
    assert escalation_count(actor_for_user(cast.users["police.officer"])) == 0  # a constable is not a manager


def test_deadlines_by_scope(cast):
    council = cast.organisations["council"]
    start = dt.datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)

    def clock(rule, subject_id, organisation=council, owner=None):
        return services.clock_start(
            rule=rule,
            started_at=start,
            organisation=organisation,
            subject_type="t",
            subject_id=subject_id,
            owner=owner,
        )

    mine = clock("assessment", "1", owner=cast.users["social.worker"])
    teams = clock("referral-decision", "2", owner=cast.users["mash.practitioner"])
    unallocated = clock("referral-decision", "3")
    elsewhere = clock("referral-decision", "4", organisation=cast.organisations["unrelated-council"])
    # Referral decisions were due by the end of Mon 23 Nov; the assessment is weeks away.
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    worker = actor_for_user(cast.users["social.worker"])
    manager = actor_for_user(cast.users["team.manager"])
    assert deadlines(actor=worker, scope=Scope.MINE, now=now).overdue == []  # assessment not yet due
    assert [c.pk for c in open_clocks(organisation=council)] == [teams.pk, unallocated.pk, mine.pk]
    team = deadlines(actor=manager, scope=Scope.TEAM, now=now)
    assert [item.work_id for item in team.overdue] == [str(teams.pk)] and team.overdue_count == 1
    organisation = deadlines(actor=manager, scope=Scope.ORGANISATION, now=now)
    assert {item.work_id for item in organisation.overdue} == {str(teams.pk), str(unallocated.pk)}
    assert str(elsewhere.pk) not in {item.work_id for item in organisation.overdue}
    soon = deadlines(actor=worker, scope=Scope.MINE, now=mine.due_at - dt.timedelta(days=1))
    assert [item.work_id for item in soon.groups[Group.WEEK]] == [str(mine.pk)]
    assert soon.counts == {Group.OVERDUE: 0, Group.TODAY: 0, Group.WEEK: 1, Group.LATER: 0}


def test_an_area_figure_changes_new_clocks_and_is_shown(cast):
    council = cast.organisations["council"]
    admin = actor_for_user(cast.users["council.admin"])
    services.area_setting_set(
        actor=admin,
        organisation=council,
        rule="strategy-discussion",
        unit="working_days",
        amount=3,
        reason="Tees procedures 4.2",
    )
    services.forget_area_settings()  # what on_commit does after a real transaction
    clock = services.clock_start(
        rule="strategy-discussion",
        started_at=dt.datetime(2026, 12, 23, 15, 0, tzinfo=LONDON),
        organisation=council,
        subject_type="t",
        subject_id="1",
    )
    # Wed 23 Dec: 24, 29, 30 Dec (25 and 28 are bank holidays, 26-27 a weekend).
    assert clock.due_at == end_of(2026, 12, 30)
    assert clock.figure == "3 working days"
    assert (
        clock.area_setting
    ) == "Stockton-on-Tees sets 3 working days (national default 1 working day): Tees procedures 4.2"
    # Another council keeps the national default.
    other = services.clock_start(
        rule="strategy-discussion",
        started_at=dt.datetime(2026, 12, 23, 15, 0, tzinfo=LONDON),
        organisation=cast.organisations["unrelated-council"],
        subject_type="t",
        subject_id="2",
    )
    assert other.due_at == end_of(2026, 12, 24)


def test_an_area_may_not_change_a_national_rule_or_anothers_figures(cast):
    council = cast.organisations["council"]
    admin = actor_for_user(cast.users["council.admin"])
    with pytest.raises(InvalidInput) as error:
        services.area_setting_set(
            actor=admin,
            organisation=council,
            rule="initial-conference",
            unit="working_days",
            amount=20,
            reason="We are busy",
        )
    assert "not a local default" in error.value.errors["amount"][0]
    with pytest.raises(InvalidInput) as error:
        services.area_setting_set(
            actor=admin,
            organisation=council,
            rule="strategy-discussion",
            unit="working_days",
            amount=3,
            reason=" ",
        )
    assert "reason" in error.value.errors
    with pytest.raises(NotAllowed):
        services.area_setting_set(
            actor=actor_for_user(cast.users["social.worker"]),
            organisation=council,
            rule="strategy-discussion",
            unit="working_days",
            amount=3,
            reason="x",
        )
    with pytest.raises(NotAllowed):
        services.area_setting_set(
            actor=admin,
            organisation=cast.organisations["unrelated-council"],
            rule="strategy-discussion",
            unit="working_days",
            amount=3,
            reason="x",
        )
    assert not AreaClockSetting.objects.exists()


def test_share_deadlines_use_the_recipients_area_figure(cast, record_incident):
    services.area_setting_set(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["council"],
        rule="da-notification",
        unit="hours",
        amount=12,
        reason="Tees domestic abuse protocol 2026",
    )
    services.forget_area_settings()
    recorded = record_incident()
    share = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    assert share.notification_due_at == share.reported_at + dt.timedelta(hours=12)
    # The police's clock on its measures says whose figure it was.
    sent = Clock.objects.get(rule="da-notification", subject_id=str(share.pk))
    assert sent.figure == "12 hours" and "Tees domestic abuse protocol 2026" in sent.area_setting


def test_a_found_report_starts_the_return_interview_clock_for_the_responsible_council(cast):
    from openmash.events.models import EventKind
    from openmash.recording.services import EventInput, PersonInput, event_record

    leo = cast.people["Leo Marsh"]  # looked after by Stockton, which records both reports itself
    worker = actor_for_user(cast.users["social.worker"])
    missing = event_record(
        actor=worker,
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=leo.pk)],
        ),
    )
    assert not Clock.objects.filter(rule="return-interview").exists()
    found_at = dt.datetime(2026, 11, 21, 2, 15, tzinfo=LONDON)
    event_record(
        actor=worker,
        data=EventInput(
            kind=EventKind.FOUND,
            occurred_at=found_at,
            people=[PersonInput(person_id=leo.pk)],
            related_event_id=missing.event.pk,
        ),
    )
    [clock] = Clock.objects.filter(rule="return-interview")
    assert clock.organisation == cast.organisations["council"] and clock.person == leo
    assert clock.due_at == found_at + dt.timedelta(hours=72)
