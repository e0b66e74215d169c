"""Steps of joint work that wait for the other agency's answer (a joint-visit request, a proposed closure, a
disagreement stage) have deadlines of their own, stop when answered, and escalate like every share when not."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from openmash.audit.models import AuditEntry
from openmash.casework import services
from openmash.casework.models import Disagreement, VisitStatus
from openmash.clocks import engine
from openmash.clocks.services import area_setting_set, forget_area_settings
from openmash.events.models import Event
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.recording.decisions import share_acknowledge
from openmash.sharing.models import Decision, Escalation, Share
from openmash.sharing.services import decisions_for, escalate_overdue


def _escalations(share: Share) -> list[tuple[int, str, str]]:
    return list(
        Escalation.objects.filter(share=share)
        .order_by("level")
        .values_list("level", "to_role", "to_organisation__code")
    )


def test_a_joint_visit_request_is_due_an_answer_within_a_working_day(request_visit, cast):
    visit = request_visit()
    share = Share.objects.get(event=visit.request_event)
    assert share.clock_rule == ClockRule.JOINT_VISIT_ANSWER
    assert share.due_at == engine.due("joint-visit-answer", visit.request_event.occurred_at)
    assert visit.answer_due_at == share.due_at


def test_an_unanswered_joint_visit_request_is_escalated_to_the_forces_managers(request_visit, actors, cast):
    visit = request_visit()
    share = Share.objects.get(event=visit.request_event)
    assert share.due_at is not None
    with time_machine.travel(share.due_at - dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() == 0
    with time_machine.travel(share.due_at + dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() == 1
    assert _escalations(share) == [(1, "team-manager", cast.organisations["police"].code)]
    # A late answer still answers it, and stops any further escalation.
    services.joint_visit_confirm_officer(
        actor=actors["police.ppu"], visit=visit, officer_name="PC Dale", officer_attends_at=visit.planned_for
    )
    share.refresh_from_db()
    assert share.acknowledged_at is not None and share.decision == Decision.ANSWERED
    assert "PC Dale" in share.decision_reasons
    with time_machine.travel(share.due_at + dt.timedelta(days=10), tick=False):
        assert escalate_overdue() == 0
    assert len(_escalations(share)) == 1


def test_naming_the_officer_in_time_answers_the_request_and_nothing_escalates(request_visit, actors):
    visit = request_visit()
    services.joint_visit_confirm_officer(
        actor=actors["police.ppu"], visit=visit, officer_name="PC Dale", officer_attends_at=visit.planned_for
    )
    share = Share.objects.get(event=visit.request_event)
    assert share.acknowledged_by_label and share.first_read_at is not None
    assert share.due_at is not None and share.acknowledged_at is not None
    assert share.acknowledged_at <= share.due_at
    with time_machine.travel(share.due_at + dt.timedelta(days=3), tick=False):
        assert escalate_overdue() == 0


def test_the_police_decline_a_joint_visit_with_a_reason_which_answers_it_and_tells_the_council(
    request_visit, actors, cast
):
    visit = request_visit()
    visit = services.joint_visit_decline(
        actor=actors["police.ppu"], visit=visit, reason="No trained officer free on Tuesday"
    )
    assert visit.status == VisitStatus.DECLINED and visit.declined_at is not None
    assert visit.decline_reason == "No trained officer free on Tuesday"
    request = Share.objects.get(event=visit.request_event)
    assert request.decision == Decision.ANSWERED and "No trained officer" in request.decision_reasons
    told = Share.objects.get(recipient=cast.organisations["council"], event__details__step="declined")
    assert told.clock_rule == "" and "No trained officer" in told.event.summary
    # The council can still go ahead alone: a lone visit, raised to its team managers.
    visit = services.joint_visit_record(
        actor=actors["social.worker"],
        visit=visit,
        visited_at=timezone.now() - dt.timedelta(minutes=5),
        officer_present=False,
        outcome="Went alone",
    )
    assert visit.lone_visit


def test_declining_needs_a_reason_and_the_force_asked_and_writes_nothing_otherwise(request_visit, actors):
    visit = request_visit()
    before = (Event.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as raised:
        services.joint_visit_decline(actor=actors["police.ppu"], visit=visit, reason="  ")
    assert set(raised.value.errors) == {"reason"}
    for persona in ("social.worker", "bury.social.worker", "inspector"):
        with pytest.raises(NotAllowed):
            services.joint_visit_decline(actor=actors[persona], visit=visit, reason="No")
    assert (Event.objects.count(), AuditEntry.objects.count()) == before
    services.joint_visit_decline(actor=actors["police.ppu"], visit=visit, reason="None free")
    with pytest.raises(InvalidInput):
        services.joint_visit_decline(actor=actors["police.ppu"], visit=visit, reason="Again")


def test_a_request_waiting_for_an_answer_is_not_acknowledged_from_the_inbox(request_visit, actors):
    share = Share.objects.get(event=request_visit().request_event)
    assert decisions_for(share) == []
    with pytest.raises(InvalidInput) as raised:
        share_acknowledge(actor=actors["police.ppu"], share=share, decision="noted")
    assert "on its own page" in str(raised.value.errors["decision"])
    share.refresh_from_db()
    assert share.acknowledged_at is None


def test_a_proposed_closure_is_answered_by_the_councils_answer(propose_closure, on_plan, actors):
    closure = propose_closure()
    share = Share.objects.get(event=closure.event)
    assert share.clock_rule == ClockRule.CLOSURE_ANSWER and share.acknowledged_at is None
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    share.refresh_from_db()
    assert share.decision == Decision.ANSWERED and share.decision_reasons == "Disputed: Injuries unexplained"


def test_an_unanswered_closure_is_escalated_to_the_councils_team_managers_then_the_partnership(
    propose_closure, on_plan, cast
):
    closure = propose_closure()
    share = Share.objects.get(event=closure.event)
    assert share.due_at is not None
    with time_machine.travel(share.due_at + dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() == 1
    # Overdue by as long again as it had: the safeguarding partnership.
    with time_machine.travel(
        share.due_at + (share.due_at - share.occurred_at) + dt.timedelta(minutes=1), tick=False
    ):
        escalate_overdue()
    assert _escalations(share) == [
        (1, "team-manager", cast.organisations["council"].code),
        (2, "partnership-lead", "ORG-STOCKTON-SCP"),
    ]


@pytest.fixture
def area_settings_forgotten():
    """Area figures are remembered per process; a rolled-back test's must not outlive it (on_commit never runs)."""
    forget_area_settings()
    yield
    forget_area_settings()


def test_an_area_sets_its_own_figure_for_answering_a_closure(
    propose_closure, on_plan, actors, cast, area_settings_forgotten
):
    area_setting_set(
        actor=actors["council.admin"],
        organisation=cast.organisations["council"],
        rule="closure-answer",
        unit="working_days",
        amount=2,
        reason="Stockton and Cleveland joint protocol, 2026",
    )
    forget_area_settings()  # what on_commit does after a real transaction
    closure = propose_closure()
    start = closure.event.occurred_at
    expected = engine.due("closure-answer", start, overrides={"closure-answer": {"working_days": 2}})
    assert closure.response_due_at == expected
    assert expected < engine.due("closure-answer", start)


def test_a_disagreement_stage_waits_for_an_answer_and_escalates_when_it_gets_none(
    propose_closure, on_plan, actors, cast
):
    closure = propose_closure()
    services.investigation_closure_respond(
        actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injuries unexplained"
    )
    disagreement = Disagreement.objects.get(closure=closure)
    stage = disagreement.stages.get()
    share = Share.objects.get(event=stage.event)
    assert share.recipient == cast.organisations["police"]
    assert share.clock_rule == ClockRule.ESCALATION_STAGE
    assert share.due_at == engine.due("escalation-stage", stage.event.occurred_at)
    with time_machine.travel(share.due_at + dt.timedelta(minutes=1), tick=False):
        assert escalate_overdue() == 1
        assert _escalations(share) == [(1, "team-manager", cast.organisations["police"].code)]
        services.disagreement_stage_record(
            actor=actors["police.ppu"],
            disagreement=disagreement,
            outcome="escalated",
            notes="No agreement",
            delay_reason="Officer on leave",
        )
    share.refresh_from_db()
    assert share.decision == Decision.ANSWERED and share.decision_reasons.startswith("Escalated")
    # The next stage waits for its own answer.
    stage_2 = disagreement.stages.get(level=2)
    assert Share.objects.get(event=stage_2.event).acknowledged_at is None
