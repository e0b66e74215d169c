"""The MASH decides on a third incident seeing the two before it; a late police notice reads as the police's
lateness and the council's own deadline as not yet due; a school marks its notice read. Accessible throughout."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind, SubjectRole
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.delivery import run_once
from openmash.sharing.models import Decision, Share


def _incident(cast, reference, occurred_at, risk_level="medium", reported_at=None):
    return event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference=reference,
            occurred_at=occurred_at,
            reported_at=reported_at or occurred_at + dt.timedelta(minutes=10),
            location="12 Rowan Street",
            postcode="TS18 1AA",
            risk_level=risk_level,
            summary="Neighbours called police to shouting",
            details={"marac": risk_level == "high"},
            people=[
                PersonInput(
                    role=SubjectRole.CHILD,
                    person_id=cast.people["Amelia Hart"].pk,
                    details={"present": True, "saw_heard": "Heard shouting"},
                ),
                PersonInput(
                    role=SubjectRole.ADULT,
                    person_id=cast.people["Sarah Hart"].pk,
                    details={"harm_role": "victim", "relationship": "parent"},
                ),
            ],
        ),
    )


def _deliver():
    while run_once("test"):
        pass


def test_the_mash_decides_on_a_third_incident_seeing_the_two_before_it(
    page, live_server, live_cast, sign_in, check_accessibility
):
    now = timezone.now()
    first = _incident(live_cast, "CLE-26-8001", now - dt.timedelta(days=4), "standard")
    _incident(live_cast, "CLE-26-8002", now - dt.timedelta(days=2), "medium")
    third = _incident(live_cast, "CLE-26-8003", now - dt.timedelta(hours=2), "high")
    _deliver()
    share_acknowledge(
        actor=actor_for_user(live_cast.users["mash.practitioner"]),
        share=Share.objects.get(event=first.event, recipient__code="E06000004"),
        decision=Decision.EARLY_HELP,
        reasons="Mother accepted a domestic abuse support worker",
    )
    share = Share.objects.get(event=third.event, recipient__code="E06000004")

    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/shares/{share.pk}/")
    expect(page.get_by_role("heading", name="Domestic abuse incident CLE-26-8003")).to_be_visible()
    expect(page.get_by_test_id("domestic-abuse-count")).to_contain_text(
        "This is the third domestic abuse incident in 7 days (3 in the last 12 months)"
    )
    events = page.get_by_test_id("context-events")
    expect(events).to_contain_text("CLE-26-8001")
    expect(events).to_contain_text("CLE-26-8002")
    expect(events).to_contain_text("Standard")
    expect(page.get_by_test_id("decisions")).to_contain_text("Early help")
    expect(page.get_by_test_id("decisions")).to_contain_text(
        "Mother accepted a domestic abuse support worker"
    )
    expect(page.get_by_test_id("statuses")).to_contain_text("Child in need, Stockton-on-Tees")
    expect(page.get_by_test_id("siblings")).to_contain_text("Noah Hart")
    expect(page.get_by_test_id("household-adults")).to_contain_text("Sarah Hart")
    expect(page.get_by_test_id("adults")).to_contain_text("victim")
    expect(page.get_by_text("multi-agency risk assessment conference")).to_be_visible()
    expect(page.get_by_text("da-notification")).to_have_count(0)
    check_accessibility(page)

    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what happens next")
    check_accessibility(page)
    page.get_by_label("Strategy discussion").check()
    page.get_by_label("Reasons for the decision").fill("Third call-out this week; threats to kill")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Strategy discussion")
    check_accessibility(page)


def test_a_late_police_notice_is_late_for_the_police_and_on_time_for_the_council(
    page, live_server, live_cast, sign_in, check_accessibility
):
    now = timezone.localtime()
    # Reported three days and a day ago: the police's 24 hours ran out three days ago.
    reported = now - dt.timedelta(days=4)
    recorded = _incident(live_cast, "CLE-26-8101", reported - dt.timedelta(minutes=10), reported_at=reported)
    _deliver()
    council = Share.objects.get(event=recorded.event, recipient__code="E06000004")
    school = Share.objects.get(event=recorded.event, recipient__code="URN-900001")

    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/shares/{council.pk}/")
    expect(page.get_by_test_id("notification")).to_contain_text("Sent late")
    expect(page.get_by_test_id("notification")).to_contain_text(
        "This is recorded against Cleveland Police, not against you"
    )
    expect(page.get_by_test_id("decision-due")).to_contain_text("Not yet due")
    check_accessibility(page)

    page.context.clear_cookies()
    sign_in(page, "police.designated")
    page.goto(f"{live_server.url}/deadlines/notifications-sent/")
    expect(page.get_by_test_id("sent-late")).to_contain_text("Domestic abuse incident CLE-26-8101")
    check_accessibility(page)

    page.context.clear_cookies()
    sign_in(page, "school.dsl")
    page.goto(f"{live_server.url}/shares/{school.pk}/")
    expect(page.get_by_test_id("decision-due")).to_contain_text("No deadline")
    expect(page.get_by_role("radio")).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("Marked as read")).to_be_visible()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Read and noted")
    check_accessibility(page)
