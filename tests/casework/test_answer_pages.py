"""The pages that list steps waiting for an answer show when each is due, whether it is overdue and where it
was escalated; the police can say no officer can attend; disagreement stages 2 and above are managers'."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from openmash.casework import services
from openmash.casework.models import Disagreement, VisitStatus
from openmash.lib.govuk import govuk_datetime
from openmash.sharing.models import Share
from openmash.sharing.services import escalate_overdue
from tests.casework.test_pages import client_for


def test_the_joint_visit_lists_show_when_the_police_answer_is_due_and_when_it_is_overdue(cast, request_visit):
    visit = request_visit()
    due = govuk_datetime(visit.answer_due_at)
    for persona in ("social.worker", "police.officer"):
        page = client_for(cast, persona).get(reverse("casework:visits")).text
        assert f"Due by {due}" in page and "Overdue" not in page
    assert visit.answer_due_at is not None
    with time_machine.travel(visit.answer_due_at + dt.timedelta(minutes=5), tick=False):
        escalate_overdue()
        page = client_for(cast, "police.designated").get(reverse("casework:visits")).text
        assert "Overdue" in page and "Escalated</strong> to Cleveland Police&#x27;s team managers" in page
        detail = client_for(cast, "social.worker").get(reverse("casework:visit", args=[visit.pk])).text
        assert "Overdue" in detail and "Escalated" in detail


def test_the_police_say_on_the_page_that_no_officer_can_attend(cast, request_visit):
    visit = request_visit()
    url = reverse("casework:visit", args=[visit.pk])
    council = client_for(cast, "social.worker")
    assert 'value="decline"' not in council.get(url).text
    assert council.post(url, {"action": "decline", "reason": "x"}).status_code == 404
    police = client_for(cast, "police.officer")
    error = police.post(url, {"action": "decline", "reason": ""})
    assert error.status_code == 200 and "Say why the police cannot send an officer" in error.text
    assert "There is a problem" in error.text
    response = police.post(url, {"action": "decline", "reason": "No trained officer free"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DECLINED
    page = council.get(url).text
    assert "The police cannot send an officer" in page and "No trained officer free" in page
    assert "Answered" in page and "Due by" not in page


def test_the_closure_pages_show_when_the_councils_answer_is_due(cast, propose_closure, on_plan):
    closure = propose_closure()
    due = govuk_datetime(closure.response_due_at)
    listed = client_for(cast, "police.officer").get(reverse("casework:closures")).text
    assert f"Due by {due}" in listed
    assert closure.response_due_at is not None
    with time_machine.travel(closure.response_due_at + dt.timedelta(minutes=5), tick=False):
        escalate_overdue()
        listed = client_for(cast, "team.manager").get(reverse("casework:closures")).text
        assert "Overdue" in listed and "Stockton-on-Tees&#x27;s team managers" in listed
        detail = client_for(cast, "team.manager").get(reverse("casework:closure", args=[closure.pk])).text
        assert "Council's answer overdue" in detail and "Escalated" in detail


def test_an_answered_share_is_not_acknowledged_from_the_share_page(cast, request_visit):
    share = Share.objects.get(event=request_visit().request_event)
    police = client_for(cast, "police.officer")
    page = police.get(reverse("sharing:share", args=[share.pk])).text
    assert 'data-testid="answer-on-its-page"' in page and ">Acknowledge</button>" not in page
    police.post(reverse("sharing:share", args=[share.pk]), {"decision": "noted"})
    share.refresh_from_db()
    assert share.acknowledged_at is None


@pytest.fixture
def at_stage(propose_closure, on_plan, actors):
    """A disputed closure's disagreement, taken to ``level`` by the people allowed to."""

    def take(level: int) -> Disagreement:
        closure = propose_closure()
        services.investigation_closure_respond(
            actor=actors["social.worker"], closure=closure, response="dispute", reasons="Injury unexplained"
        )
        disagreement = Disagreement.objects.get(closure=closure)
        for _ in range(1, level):
            disagreement = services.disagreement_stage_record(
                actor=actors["team.manager"], disagreement=disagreement, outcome="escalated", notes="No"
            )
        return disagreement

    return take


STAGE_PERSONAS = {
    # Stage 1 is the practitioners': any of the two agencies' case workers records it.
    1: {"social.worker": True, "police.officer": True, "police.ppu": True, "team.manager": True},
    # From stage 2, managers only: a team manager, the police's designated officer.
    2: {"social.worker": False, "police.officer": False, "police.ppu": False, "team.manager": True},
    3: {"social.worker": False, "police.designated": True, "team.manager": True},
}


@pytest.mark.parametrize(
    ("level", "persona", "allowed"),
    [
        (level, persona, allowed)
        for level, cases in STAGE_PERSONAS.items()
        for persona, allowed in cases.items()
    ],
)
def test_the_stage_form_is_for_those_the_policy_allows(cast, at_stage, level, persona, allowed):
    disagreement = at_stage(level)
    assert disagreement.stage == level
    url = reverse("casework:closure", args=[disagreement.closure_id])
    client = client_for(cast, persona)
    page = client.get(url).text
    assert ('value="stage"' in page) is allowed
    assert ("taken forward by managers" in page) is (not allowed)
    response = client.post(url, {"action": "stage", "outcome": "escalated", "notes": "Not agreed"})
    assert response.status_code == (302 if allowed else 404)
    assert Disagreement.objects.get(pk=disagreement.pk).stage == (level + 1 if allowed else level)


def test_a_stage_page_shows_when_its_answer_is_due(cast, at_stage):
    disagreement = at_stage(1)
    stage_share = Share.objects.get(event=disagreement.stages.get().event)
    page = client_for(cast, "police.officer").get(reverse("casework:closure", args=[disagreement.closure_id]))
    assert f'Open: <span data-testid="stage-answer">Due by {govuk_datetime(stage_share.due_at)}' in page.text
    assert timezone.now() < stage_share.due_at
