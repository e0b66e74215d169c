"""Joint visits, police protection follow-through, investigation closures and disagreements, through the real
services. State is built with the demo cast: Stockton-on-Tees council and Cleveland Police, with Amelia Hart."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from openmash.audit.models import AuditEntry
from openmash.casework import selectors, services
from openmash.casework.models import (
    ClosureStatus,
    Disagreement,
    DisagreementStageLevel,
    DisagreementStatus,
    InvestigationClosure,
    JointVisit,
    PoliceProtectionEnd,
    StageOutcome,
    VisitStatus,
)
from openmash.clocks import engine
from openmash.clocks.models import Clock
from openmash.events.models import Event, EventKind
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.sharing import routing
from openmash.sharing.models import Route, Share
from tests.casework.conftest import LONDON

# Joint visits ----------------------------------------------------------------------------------------------


def test_a_joint_visit_request_is_shared_with_the_force_covering_the_council(request_visit, cast):
    visit = request_visit()
    assert visit.status == VisitStatus.REQUESTED
    assert visit.police_force == cast.organisations["police"]
    share = Share.objects.get(event=visit.request_event)
    assert share.recipient == cast.organisations["police"]
    assert share.route == Route.INVOLVED
    assert visit.request_event.kind == EventKind.JOINT_VISIT
    assert share.deliveries.exists()  # delivered the same way as every other share


def test_a_police_needed_visit_cannot_be_confirmed_without_officer_name_and_time(request_visit, actors):
    visit = request_visit()
    events_before, audit_before = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as raised:
        services.joint_visit_confirm_officer(
            actor=actors["police.ppu"], visit=visit, officer_name="  ", officer_attends_at=None
        )
    assert set(raised.value.errors) == {"officer_name", "officer_attends_at"}
    with pytest.raises(InvalidInput) as raised:
        services.joint_visit_confirm_officer(
            actor=actors["police.ppu"], visit=visit, officer_name="PC Dale", officer_attends_at=None
        )
    assert set(raised.value.errors) == {"officer_attends_at"}
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED and visit.officer_name == ""
    assert (Event.objects.count(), AuditEntry.objects.count()) == (events_before, audit_before)


def test_the_police_name_an_officer_and_time_which_confirms_the_visit_and_tells_the_council(
    request_visit, actors, cast
):
    visit = request_visit()
    attends = visit.planned_for
    visit = services.joint_visit_confirm_officer(
        actor=actors["police.ppu"], visit=visit, officer_name="PC 1234 Dale", officer_attends_at=attends
    )
    assert visit.status == VisitStatus.CONFIRMED
    assert visit.officer_name == "PC 1234 Dale" and visit.officer_attends_at == attends
    told = Share.objects.filter(
        event__kind=EventKind.JOINT_VISIT, recipient=cast.organisations["council"], route=Route.INVOLVED
    )
    assert told.count() == 1 and "PC 1234 Dale" in told.get().event.summary


@pytest.mark.parametrize("persona", ["social.worker", "bury.social.worker", "inspector", "council.admin"])
def test_only_the_force_asked_names_the_officer(request_visit, actors, persona):
    visit = request_visit()
    with pytest.raises(NotAllowed):
        services.joint_visit_confirm_officer(
            actor=actors[persona], visit=visit, officer_name="PC Dale", officer_attends_at=timezone.now()
        )


def test_a_visit_done_with_the_officer_is_a_joint_visit(request_visit, actors):
    visit = request_visit()
    services.joint_visit_confirm_officer(
        actor=actors["police.ppu"], visit=visit, officer_name="PC Dale", officer_attends_at=visit.planned_for
    )
    visit = services.joint_visit_record(
        actor=actors["social.worker"],
        visit=visit,
        visited_at=timezone.now() - dt.timedelta(minutes=30),
        officer_present=True,
        outcome="Seen with PC Dale; safety plan agreed",
    )
    assert visit.status == VisitStatus.DONE and visit.officer_present is True
    assert not visit.lone_visit and visit.escalated_at is None
    assert selectors.lone_visits_awaiting_review(actor=actors["team.manager"]) == 0


def test_a_visit_done_without_an_officer_is_a_lone_visit_and_is_escalated_to_the_team_manager(
    request_visit, actors, cast
):
    visit = request_visit()
    assert selectors.lone_visits_awaiting_review(actor=actors["team.manager"]) == 0
    visit = services.joint_visit_record(
        actor=actors["social.worker"],
        visit=visit,
        visited_at=timezone.now() - dt.timedelta(minutes=30),
        officer_present=False,
        outcome="No officer available; went alone",
    )
    assert visit.status == VisitStatus.DONE
    assert visit.lone_visit is True and visit.escalated_at is not None
    assert selectors.lone_visits_awaiting_review(actor=actors["team.manager"]) == 1
    assert [v.pk for v in selectors.joint_visit_list(actor=actors["team.manager"], lone_only=True)] == [
        visit.pk
    ]
    # The force is told the visit went ahead without it.
    shared = Share.objects.filter(recipient=cast.organisations["police"], event__details__step="visit-done")
    assert shared.get().event.details["lone_visit"] is True
    # Counted in the area's measures.
    measures = selectors.casework_measures(actor=actors["team.manager"])
    assert (measures.lone_visits, measures.lone_visits_unreviewed) == (1, 1)
    # Only a team manager reviews it; then it leaves the "awaiting review" count but stays counted.
    with pytest.raises(NotAllowed):
        services.lone_visit_review(actor=actors["social.worker"], visit=visit, notes="Seen")
    services.lone_visit_review(actor=actors["team.manager"], visit=visit, notes="Raised with the PPU DI")
    assert selectors.lone_visits_awaiting_review(actor=actors["team.manager"]) == 0
    assert selectors.casework_measures(actor=actors["team.manager"]).lone_visits == 1


def test_recording_a_visit_needs_whether_an_officer_was_there_and_writes_nothing_otherwise(
    request_visit, actors
):
    visit = request_visit()
    events_before, audit_before = Event.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as raised:
        services.joint_visit_record(
            actor=actors["social.worker"],
            visit=visit,
            visited_at=timezone.now() + dt.timedelta(days=2),
            officer_present=None,
            outcome="",
        )
    assert set(raised.value.errors) == {"visited_at", "officer_present", "outcome"}
    with pytest.raises(InvalidInput) as raised:
        services.joint_visit_record(
            actor=actors["social.worker"],
            visit=visit,
            visited_at=timezone.now(),
            officer_present=True,
            outcome="Seen",
        )
    assert set(raised.value.errors) == {"officer_name"}  # present, but nobody was ever named
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED and not visit.lone_visit
    assert (Event.objects.count(), AuditEntry.objects.count()) == (events_before, audit_before)


def test_a_bad_visit_request_writes_nothing(request_visit, actors):
    counts = (JointVisit.objects.count(), Event.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as raised:
        request_visit(planned_for=None, police_needed_because=[], purpose=" ")
    assert set(raised.value.errors) == {"planned_for", "police_needed_because", "purpose"}
    with pytest.raises(InvalidInput):
        request_visit(police_needed_because=["risk", "made-up"])
    with pytest.raises(NotAllowed):
        request_visit(actor=actors["police.ppu"])
    assert (JointVisit.objects.count(), Event.objects.count(), AuditEntry.objects.count()) == counts


# Police protection -----------------------------------------------------------------------------------------


def test_police_protection_starts_the_72_hour_clock_and_the_councils_s47_duty(record_protection, cast):
    taken = dt.datetime(2026, 3, 28, 22, 15, tzinfo=LONDON)  # the clocks go forward that night
    event = record_protection(taken_at=taken)
    maximum = Clock.objects.get(event=event, rule="police-protection-max")
    assert maximum.organisation == cast.organisations["police"]
    assert maximum.due_at - maximum.started_at == dt.timedelta(hours=72)  # real hours, across the change
    assert services.protection_due(event) == maximum.due_at
    s47 = Clock.objects.get(event=event, rule="strategy-discussion")
    assert s47.organisation == cast.organisations["council"]


def test_ending_police_protection_within_72_hours_stops_the_clock_as_met(record_protection, actors):
    event = record_protection()
    ended = timezone.now() - dt.timedelta(minutes=10)
    end = services.police_protection_end(
        actor=actors["police.designated"], event=event, ended_at=ended, how="placed-by-council"
    )
    assert end.ended_at == ended
    clock = Clock.objects.get(event=event, rule="police-protection-max")
    assert clock.stopped_at == ended and clock.met and clock.breach_reason == ""
    # The council's s47 duty is not met by the child leaving police protection.
    assert Clock.objects.get(event=event, rule="strategy-discussion").stopped_at is None
    with pytest.raises(InvalidInput):
        services.police_protection_end(
            actor=actors["social.worker"], event=event, ended_at=ended, how="returned-home"
        )


def test_ending_police_protection_after_72_hours_needs_the_reason_for_the_delay(record_protection, actors):
    event = record_protection(taken_at=timezone.now() - dt.timedelta(hours=80))
    ended = timezone.now() - dt.timedelta(hours=1)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as raised:
        services.police_protection_end(actor=actors["social.worker"], event=event, ended_at=ended, how="epo")
    assert "breach_reason" in raised.value.errors
    assert not PoliceProtectionEnd.objects.filter(event=event).exists()
    assert Clock.objects.get(event=event, rule="police-protection-max").stopped_at is None
    assert AuditEntry.objects.count() == audit_before
    services.police_protection_end(
        actor=actors["social.worker"],
        event=event,
        ended_at=ended,
        how="epo",
        delay_reason="Court could not list the EPO hearing until Monday",
    )
    clock = Clock.objects.get(event=event, rule="police-protection-max")
    assert clock.breached_at == clock.due_at and "Court" in clock.breach_reason


@pytest.mark.parametrize("persona", ["bury.social.worker", "inspector", "council.admin"])
def test_only_the_force_and_the_councils_told_record_the_end(record_protection, actors, persona):
    event = record_protection()
    with pytest.raises(NotAllowed):
        services.police_protection_end(
            actor=actors[persona], event=event, ended_at=timezone.now(), how="released"
        )
    with pytest.raises(NotFound):
        selectors.police_protection_open(actor=actors[persona], event_id=event.pk)


def test_uses_without_alternatives_discussed_are_counted_per_force(record_protection, actors):
    record_protection(alternatives_discussed=True)
    record_protection(alternatives_discussed=False)
    record_protection(alternatives_discussed=False)
    for persona in ("team.manager", "partnership.lead"):
        measures = selectors.casework_measures(actor=actors[persona])
        [row] = measures.police_protection
        assert row.force == "Cleveland Police"
        assert (row.uses, row.alternatives_not_discussed, row.still_in_protection) == (3, 2, 3)
    for persona in ("social.worker", "police.officer", "bury.social.worker", "inspector", "council.admin"):
        with pytest.raises(NotFound):
            selectors.casework_measures(actor=actors[persona])


# Investigation closures ------------------------------------------------------------------------------------


def test_closing_an_investigation_about_a_child_on_a_plan_waits_for_the_council(
    propose_closure, on_plan, actors, cast
):
    closure = propose_closure()
    assert closure.on_protection_plan and closure.needs_agreement
    assert closure.status == ClosureStatus.PROPOSED and closure.closed_at is None
    share = Share.objects.get(event=closure.event)
    assert (share.recipient, share.route) == (cast.organisations["council"], Route.INVOLVED)
    assert closure.response_due_at == engine.due("closure-answer", closure.proposed_at)
    assert share.clock_rule == "closure-answer" and share.due_at == closure.response_due_at
    # Silence does not close it, however long it lasts.
    with time_machine.travel(timezone.now() + dt.timedelta(days=40)):
        closure.refresh_from_db()
        assert closure.status == ClosureStatus.PROPOSED
        opened = selectors.investigation_closure_open(actor=actors["social.worker"], closure_id=closure.pk)
        assert opened.response_overdue
    # Nor can the police force answer for the council.
    with pytest.raises(NotAllowed):
        services.investigation_closure_respond(
            actor=actors["police.ppu"], closure=closure, response="agree", reasons="Agreed"
        )
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="agree", reasons="Plan covers the risk"
    )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.CLOSED and closure.closed_at is not None
    assert Share.objects.filter(
        recipient=cast.organisations["police"], event__details__step="council-agreed"
    ).exists()


def test_injuries_or_s47_enquiries_also_need_the_councils_agreement(propose_closure):
    assert propose_closure(injuries_recorded=True).status == ClosureStatus.PROPOSED
    assert propose_closure(police_reference="CLE-26-7002", under_s47_enquiry=True).needs_agreement


def test_an_s47_duty_running_for_the_child_makes_the_closure_need_agreement(
    propose_closure, record_protection
):
    record_protection()  # starts the council's strategy-discussion clock for Amelia
    closure = propose_closure()
    assert closure.under_s47_enquiry and closure.status == ClosureStatus.PROPOSED


def test_other_closures_take_effect_at_once_and_are_shared_only_if_chosen(propose_closure):
    closure = propose_closure()
    assert not closure.needs_agreement and closure.status == ClosureStatus.CLOSED
    assert closure.event is None
    shared = propose_closure(police_reference="CLE-26-7003", share_anyway=True)
    assert shared.status == ClosureStatus.CLOSED and shared.event is not None


def test_a_bad_closure_proposal_writes_nothing(propose_closure, actors, on_plan):
    counts = (InvestigationClosure.objects.count(), Event.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as raised:
        propose_closure(police_reference=" ", reasons="")
    assert set(raised.value.errors) == {"police_reference", "reasons"}
    with pytest.raises(NotAllowed):
        propose_closure(actor=actors["social.worker"])
    assert (
        InvestigationClosure.objects.count(),
        Event.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_a_dispute_opens_stage_1_with_a_5_working_day_clock(propose_closure, on_plan, actors, cast):
    closure = propose_closure()
    with time_machine.travel(dt.datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)):
        services.investigation_closure_respond(
            actor=actors["social.worker"],
            closure=closure,
            response="dispute",
            reasons="Clear evidence of non-accidental injury in the medical",
        )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.DISPUTED and closure.closed_at is None
    disagreement = Disagreement.objects.get(closure=closure)
    assert (disagreement.stage, disagreement.status) == (1, DisagreementStatus.OPEN)
    stage = disagreement.stages.get()
    # 5 working days from Wednesday 23 December 2026, skipping Christmas, Boxing Day (substitute) and weekends.
    assert timezone.localtime(stage.due_at) == dt.datetime(2027, 1, 4, 23, 59, 59, tzinfo=LONDON)
    clock = services.stage_clock(stage)
    assert clock is not None and clock.due_at == stage.due_at
    assert clock.organisation == cast.organisations["council"]
    shared = Share.objects.get(event=stage.event)
    assert shared.recipient == cast.organisations["police"] and stage.event.kind == EventKind.DISAGREEMENT


def test_a_dispute_without_reasons_writes_nothing(propose_closure, on_plan, actors):
    closure = propose_closure()
    counts = (Disagreement.objects.count(), Event.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.investigation_closure_respond(
            actor=actors["social.worker"], closure=closure, response="dispute", reasons=""
        )
    assert set(raised.value.errors) == {"reasons"}
    with pytest.raises(InvalidInput):
        services.investigation_closure_respond(
            actor=actors["social.worker"], closure=closure, response="maybe", reasons="x"
        )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.PROPOSED
    assert (Disagreement.objects.count(), Event.objects.count(), AuditEntry.objects.count()) == counts


def test_a_disagreement_escalates_stage_by_stage_until_it_is_resolved(propose_closure, on_plan, actors, cast):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = Disagreement.objects.get(closure=closure)
    recorders = ["police.ppu", "team.manager", "police.designated"]
    for level, persona in zip((1, 2, 3), recorders, strict=True):
        disagreement = services.disagreement_stage_record(
            actor=actors[persona],
            disagreement=disagreement,
            outcome="escalated",
            notes=f"No agreement at {level}",
        )
        assert disagreement.stage == level + 1
        previous = disagreement.stages.get(level=level)
        assert previous.outcome == StageOutcome.ESCALATED
        assert services.stage_clock(previous).stopped_at is not None
    assert disagreement.stages.count() == 4
    # Stage 4 is the partnership's: it is told too.
    stage_4 = disagreement.stages.get(level=4)
    assert set(Share.objects.filter(event=stage_4.event).values_list("recipient__code", flat=True)) == {
        cast.organisations["council"].code,
        cast.organisations["partnership"].code,
    }
    with pytest.raises(InvalidInput) as raised:
        services.disagreement_stage_record(
            actor=actors["team.manager"], disagreement=disagreement, outcome="escalated", notes="Still no"
        )
    assert "outcome" in raised.value.errors
    with pytest.raises(InvalidInput) as raised:
        services.disagreement_stage_record(
            actor=actors["team.manager"], disagreement=disagreement, outcome="resolved", notes="Agreed"
        )
    assert "resolution" in raised.value.errors
    disagreement = services.disagreement_stage_record(
        actor=actors["team.manager"],
        disagreement=disagreement,
        outcome="resolved",
        resolution="investigation-continues",
        notes="Partnership chair: reopen and re-interview",
    )
    assert disagreement.status == DisagreementStatus.RESOLVED
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.WITHDRAWN and closure.closed_at is None
    with pytest.raises(NotAllowed):
        services.disagreement_stage_record(
            actor=actors["bury.social.worker"], disagreement=disagreement, outcome="resolved", notes="x"
        )


def test_a_late_stage_outcome_needs_the_reason_for_the_delay(propose_closure, on_plan, actors):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = Disagreement.objects.get(closure=closure)
    with time_machine.travel(timezone.now() + dt.timedelta(days=12)):
        with pytest.raises(InvalidInput) as raised:
            services.disagreement_stage_record(
                actor=actors["police.ppu"],
                disagreement=disagreement,
                outcome="resolved",
                resolution="closure-agreed",
                notes="Medical reviewed: accidental",
            )
        assert "breach_reason" in raised.value.errors
        assert disagreement.stages.get().outcome == ""
        services.disagreement_stage_record(
            actor=actors["police.ppu"],
            disagreement=disagreement,
            outcome="resolved",
            resolution="closure-agreed",
            notes="Medical reviewed: accidental",
            delay_reason="Paediatrician on leave",
        )
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.CLOSED
    stage = disagreement.stages.get()
    assert stage.delay_reason == "Paediatrician on leave"
    assert services.stage_clock(stage).breach_reason == "Paediatrician on leave"


def test_the_end_of_police_protection_is_shared_with_everyone_told_of_it(actors, cast, record_protection):
    from openmash.sharing.models import Share

    event = record_protection()
    services.police_protection_end(
        actor=actors["police.designated"],
        event=event,
        ended_at=timezone.now() - dt.timedelta(minutes=30),
        how="returned-home",
        notes="Mother sober, grandmother staying",
    )
    [share] = Share.objects.filter(event__kind=EventKind.POLICE_PROTECTION_ENDED)
    assert share.recipient == cast.organisations["council"]
    assert share.event.details["police_protection"] == str(event.pk)
    assert "Mother sober" in share.event.summary
    assert list(share.people.all()) == [cast.people["Amelia Hart"]]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("social.worker", False),
        ("mash.practitioner", False),
        ("police.officer", False),
        ("police.ppu", False),
        ("team.manager", True),
        ("police.designated", True),
        ("bury.social.worker", False),
    ],
)
def test_from_stage_2_only_managers_take_a_disagreement_forward(
    propose_closure, on_plan, actors, persona, allowed
):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = services.disagreement_stage_record(
        actor=actors["social.worker"],  # stage 1 is the practitioners'
        disagreement=Disagreement.objects.get(closure=closure),
        outcome="escalated",
        notes="No agreement between practitioners",
    )
    assert disagreement.stage == 2
    record = dict(disagreement=disagreement, outcome="escalated", notes="No agreement between managers")
    if allowed:
        assert services.disagreement_stage_record(actor=actors[persona], **record).stage == 3
    else:
        with pytest.raises(NotAllowed):
            services.disagreement_stage_record(actor=actors[persona], **record)
        assert Disagreement.objects.get(pk=disagreement.pk).stage == 2


def test_the_end_of_police_protection_reaches_everyone_told_of_it(record_protection, actors):
    """Routing's rule (sharing.routing.told_of_the_protection), not a list the casework service keeps: every
    organisation told of the protection, and the force that took it, hears of its end; the recorder does not."""
    event = record_protection()
    told = {share.recipient_id for share in Share.objects.filter(event=event)} | {event.recorded_by_id}
    assert len(told) >= 2
    services.police_protection_end(
        actor=actors["social.worker"],
        event=event,
        ended_at=timezone.now() - dt.timedelta(minutes=5),
        how="placed-by-council",
    )
    end = Event.objects.get(kind=EventKind.POLICE_PROTECTION_ENDED, details__police_protection=str(event.pk))
    recipients = {share.recipient_id for share in Share.objects.filter(event=end)}
    assert recipients == told - {actors["social.worker"].organisation.pk}
    assert event.recorded_by_id in recipients


def test_routing_names_the_partnership_stage_the_casework_levels_use():
    assert routing.PARTNERSHIP_STAGE == DisagreementStageLevel.PARTNERSHIP
