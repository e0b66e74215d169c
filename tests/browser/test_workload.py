"""A team's daily work in a browser, axe-clean on every page: a team manager allocates and reads the caseload;
an escalation reaches the partnership lead's home page with the count in the navigation; the inbox, the
chronology and the deadlines fit a 390px phone; a police officer records an incident through its question pages
and checks the answers."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.clocks.services import clock_start
from openmash.events.models import Event
from openmash.recording.services import event_record
from openmash.sharing.delivery import run_once
from openmash.sharing.models import Share
from openmash.sharing.services import escalate_overdue
from tests.browser.incident_pages import add_child, answer_add_another, answer_the_incident
from tests.sharing.conftest import incident_at_amelias_home

LONDON = ZoneInfo("Europe/London")


def _incident(cast) -> Share:
    """The police's notice, shared with the council soon after the incident weeks ago: the council's decision
    (a working day from arrival) is overdue now."""
    data = incident_at_amelias_home(cast)
    with time_machine.travel(data.reported_at + dt.timedelta(minutes=30), tick=True):
        recorded = event_record(actor=actor_for_user(cast.users["police.officer"]), data=data)
        while run_once("browser"):
            pass
    return Share.objects.get(event=recorded.event, recipient=cast.organisations["council"])


def test_a_team_manager_allocates_work_and_sees_the_caseload(
    page, live_server, live_cast, sign_in, check_accessibility
):
    _incident(live_cast)
    clock_start(
        rule="assessment",
        started_at=dt.datetime(2025, 9, 1, 9, 0, tzinfo=LONDON),
        organisation=live_cast.organisations["council"],
        subject_type="share",
        subject_id="browser-allocation",
        person=live_cast.people["Amelia Hart"],
    )
    sign_in(page, "team.manager")
    page.get_by_role("link", name="Deadlines").first.click()
    page.get_by_role("link", name="My organisation").click()
    # The notification (its decision was due a working day after it arrived) and the assessment.
    expect(page.get_by_test_id("count-overdue")).to_have_text("2")
    check_accessibility(page)

    # The overdue assessment: allocate it to Dev Patel from the list.
    page.get_by_test_id("overdue").get_by_role("link", name="Allocate Child and family assessment").click()
    expect(page.get_by_role("heading", name="Allocate this work")).to_be_visible()
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose who will do this work")
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    page.get_by_label("Dev Patel").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Allocated to Dev Patel")).to_be_visible()
    check_accessibility(page)

    # The notification: allocate it from its own page, to Dev Patel too.
    page.goto(f"{live_server.url}/deadlines/?scope=organisation&what=notifications")
    page.get_by_role("link", name="Decide on: Domestic abuse incident", exact=True).first.click()
    expect(page.get_by_test_id("allocation")).to_contain_text("Not allocated")
    page.get_by_test_id("allocation").get_by_role("link", name="Allocate").click()
    page.get_by_label("Dev Patel").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_test_id("allocation")).to_contain_text("Allocated to Dev Patel")
    check_accessibility(page)

    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Your team's caseload").click()
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    expect(page.get_by_test_id("load-social.worker")).to_contain_text("2 open")
    expect(page.get_by_test_id("load-social.worker")).to_contain_text("2 overdue")
    expect(page.get_by_test_id("load-mash.practitioner")).to_contain_text("0 open")
    expect(page.get_by_test_id("worker-social.worker")).to_contain_text("Amelia Hart")
    check_accessibility(page)

    # The clocks followed the worker: Dev Patel's own list shows both.
    worker = page.context.browser.new_context().new_page()
    sign_in(worker, "social.worker")
    expect(worker.get_by_test_id("home-count-overdue")).to_have_text("2")
    worker.get_by_role("link", name="Deadlines").first.click()
    expect(worker.get_by_test_id("overdue")).to_contain_text("Child and family assessment")
    expect(worker.get_by_test_id("overdue")).to_contain_text("Decide on: Domestic abuse incident")
    expect(worker.get_by_test_id("deadline-counts")).to_contain_text("Overdue: 2")
    check_accessibility(worker)
    worker.context.close()


def test_an_escalation_arrives_on_the_partnership_leads_home_page(
    page, live_server, live_cast, sign_in, check_accessibility
):
    share = _incident(live_cast)
    assert share.due_at is not None
    escalate_overdue(
        now=share.due_at + dt.timedelta(days=60)
    )  # raised to the team manager, then the partnership

    # The council's missed decision reaches the partnership; the school's Encompass notice has no deadline of
    # its own, so it never escalates.
    sign_in(page, "partnership.lead")
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Escalations (1)")).to_be_visible()
    expect(page.get_by_test_id("home-escalation-count")).to_have_text("1")
    check_accessibility(page)
    page.get_by_test_id("home-escalations").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Escalations")).to_be_visible()
    expect(page.get_by_test_id("escalations").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("escalations")).to_contain_text("Stockton-on-Tees")
    expect(page.get_by_test_id("escalations")).not_to_contain_text("Amelia")  # what and by whom, not whom
    check_accessibility(page)

    manager = page.context.browser.new_context().new_page()
    sign_in(manager, "team.manager")
    expect(
        manager.get_by_role("navigation", name="Menu").get_by_role("link", name="Escalations (1)")
    ).to_be_visible()
    manager.get_by_role("navigation", name="Menu").get_by_role("link", name="Escalations (1)").click()
    expect(manager.get_by_test_id("escalations")).to_contain_text("Amelia Hart")
    check_accessibility(manager)
    manager.context.close()


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            regions: [...document.querySelectorAll('main .openmash-table-scroll, main table')]
                .map(el => el.scrollWidth - el.clientWidth),
        })"""
    )
    assert widths["page"] <= widths["viewport"], widths
    assert all(extra <= 0 for extra in widths["regions"]), widths


def test_the_inbox_chronology_and_deadlines_fit_a_390px_phone(
    browser, live_server, live_cast, sign_in, check_accessibility
):
    share = _incident(live_cast)
    assert share.due_at is not None
    escalate_overdue(now=share.due_at + dt.timedelta(minutes=1))
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, "team.manager")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.get_by_test_id("inbox-table")).to_contain_text("Amelia Hart")
    _no_sideways_scroll(page)
    check_accessibility(page)
    page.goto(f"{live_server.url}/people/{live_cast.people['Amelia Hart'].pk}/chronology/")
    expect(page.get_by_test_id("chronology")).to_contain_text("Domestic abuse incident")
    _no_sideways_scroll(page)
    check_accessibility(page)
    expect(page.locator(".govuk-back-link")).to_be_visible()
    for path in ("/deadlines/?scope=organisation", "/deadlines/escalations/", "/deadlines/caseload/"):
        page.goto(f"{live_server.url}{path}")
        _no_sideways_scroll(page)
        check_accessibility(page)
    page.context.close()


def test_a_police_officer_records_an_incident_through_check_your_answers(
    page, live_server, live_cast, sign_in, check_accessibility
):
    sign_in(page, "police.officer")
    page.get_by_role("link", name="Record an incident").first.click()
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the police reference")
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    answer_the_incident(page, "CLE-26-6001", check=check_accessibility)
    check_accessibility(page)
    add_child(page, 1, "Zara", "Quinn", ("2", "4", "2015"), school_urn="900001")
    expect(page.get_by_role("heading", name="You have added 1 child")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say whether you need to add another child")
    check_accessibility(page)
    answer_add_another(page, yes=True)
    add_child(page, 2, "Max", "Quinn", ("9", "1", "2023"))
    answer_add_another(page, yes=False)
    expect(page.get_by_role("heading", name="Adults involved")).to_be_visible()
    check_accessibility(page)
    answer_add_another(page, yes=True)
    expect(page.get_by_role("heading", name="Adult 1")).to_be_visible()
    page.locator("#id_adult1-given_name").fill("Dean")
    page.locator("#id_adult1-family_name").fill("Quinn")
    # What Dean is to each child, one question a child.
    page.get_by_role("group", name="What is this adult to Zara Quinn?").get_by_label("Carer").check()
    page.get_by_role("group", name="What is this adult to Max Quinn?").get_by_label(
        "Parent", exact=True
    ).check()
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()
    answer_add_another(page, yes=False)

    expect(
        page.get_by_role("heading", name="Check your answers before recording the incident")
    ).to_be_visible()
    expect(page.get_by_test_id("check-incident")).to_contain_text("20 November 2026 at 9:30pm")
    expect(page.get_by_test_id("check-child")).to_have_count(2)
    expect(page.get_by_test_id("check-adults")).to_contain_text("Dean Quinn")
    expect(page.get_by_test_id("check-adults")).to_contain_text("Carer of Zara Quinn")
    expect(page.get_by_test_id("check-adults")).to_contain_text("Parent of Max Quinn")
    check_accessibility(page)
    assert not Event.objects.filter(reference="CLE-26-6001").exists()  # nothing recorded before confirming

    page.get_by_role("link", name="Change the postcode").click()
    page.get_by_label("Address or place").fill("12 Rowan Street")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("check-incident")).to_contain_text("12 Rowan Street")
    # Weeks after the incident: the council is told late, so the officer says why.
    page.get_by_label("Why is this being shared late?").fill("Waiting for the officer's statement")
    page.get_by_role("button", name="Record and share").click()
    expect(page.get_by_text("Incident CLE-26-6001 recorded and shared with 2 organisations")).to_be_visible()
    check_accessibility(page)
    event = Event.objects.get(reference="CLE-26-6001")
    assert event.location == "12 Rowan Street" and event.subjects.count() == 3
    dean = event.subjects.get(role="adult").person
    assert {(r.relative.given_name, r.kind) for r in dean.relationships.all()} == {
        ("Zara", "carer"),
        ("Max", "parent"),
    }
