"""Answers left overdue reach the managers: a closure Cleveland Police proposed ten days ago, never answered by
Stockton-on-Tees, and a joint visit the police never answered in twenty, are escalated by the worker's sweep; the
council's team manager and the police's designated officer see them as overdue and escalated on their lists,
and answering stops them. axe on every page."""

import datetime as dt

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.casework import services
from openmash.people.models import ChildStatusKind
from openmash.people.services import child_status_record
from openmash.sharing.services import escalate_overdue


def _left_unanswered(cast) -> None:
    amelia = cast.people["Amelia Hart"]
    with time_machine.travel(timezone.now() - dt.timedelta(days=10)):
        child_status_record(
            actor=actor_for_user(cast.users["social.worker"]),
            person=amelia,
            council=cast.organisations["council"],
            status=ChildStatusKind.PROTECTION_PLAN,
            start_date=dt.date(2026, 1, 5),
        )
        services.investigation_closure_propose(
            actor=actor_for_user(cast.users["police.ppu"]),
            person=amelia,
            police_reference="CLE-26-8802",
            reasons="No further lines of enquiry",
            under_s47_enquiry=False,
            injuries_recorded=True,
        )
    # Twenty days ago: past its due time (1 working day) and, even over Christmas, as long again.
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        services.joint_visit_request(
            actor=actor_for_user(cast.users["social.worker"]),
            person=amelia,
            planned_for=timezone.now() + dt.timedelta(days=30),
            police_needed_because=["removal"],
            purpose="Review the plan at home",
        )
    escalate_overdue()  # what the worker does every 15 seconds


def test_overdue_answers_show_as_overdue_and_escalated_to_the_managers(
    browser, live_server, live_cast, sign_in, check_accessibility
):
    _left_unanswered(live_cast)
    contexts = [browser.new_context() for _ in range(2)]
    manager, designated = (context.new_page() for context in contexts)
    try:
        sign_in(manager, "team.manager")
        manager.goto(f"{live_server.url}/investigation-closures/")
        answer = manager.get_by_test_id("closure-answer")
        expect(answer).to_contain_text("Overdue")
        expect(answer).to_contain_text("Escalated to Stockton-on-Tees's team managers")
        check_accessibility(manager)
        manager.get_by_role("link", name="Amelia Hart").click()
        expect(manager.get_by_test_id("closure-status")).to_contain_text("Council's answer overdue")
        check_accessibility(manager)
        manager.get_by_role("radio", name="Agree: the investigation can close").check()
        manager.get_by_label("Reasons").fill("The plan covers the risk")
        manager.get_by_role("button", name="Send the council's answer").click()
        expect(manager.get_by_test_id("closure-answer")).to_contain_text("Answered")
        expect(manager.get_by_test_id("closure-status")).not_to_contain_text("overdue")
        check_accessibility(manager)

        # The force's unanswered joint visit request, on its designated officer's list.
        sign_in(designated, "police.designated")
        designated.goto(f"{live_server.url}/joint-visits/")
        answer = designated.get_by_test_id("visit-answer")
        expect(answer).to_contain_text("Overdue")
        # Past its first escalation (the force's team managers) and its second (the force has no partnership).
        expect(answer).to_contain_text("Escalated to Cleveland Police's senior managers")
        check_accessibility(designated)
        designated.get_by_role("link", name="Amelia Hart").click()
        designated.get_by_role("button", name="Say no officer can attend").click()
        expect(designated.locator(".govuk-error-summary")).to_contain_text(
            "Say why the police cannot send an officer"
        )
        check_accessibility(designated)
        designated.get_by_label("Why the police cannot send an officer").fill("No trained officer that day")
        designated.get_by_role("button", name="Say no officer can attend").click()
        expect(designated.get_by_test_id("visit-status")).to_contain_text("The police cannot send an officer")
        expect(designated.get_by_test_id("visit-answer")).to_contain_text("Answered")
        check_accessibility(designated)
    finally:
        for context in contexts:
            context.close()
