"""The front door sees concerns from two agencies in its inbox and opens them: which agencies, what each
recorded and when, in words. Accessible throughout."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.delivery import run_once
from tests.sharing.conftest import incident_at_amelias_home


def test_the_front_door_opens_concerns_from_the_police_and_the_school(
    page, live_server, live_cast, sign_in, check_accessibility
):
    now = timezone.localtime()
    event_record(
        actor=actor_for_user(live_cast.users["police.officer"]),
        data=incident_at_amelias_home(
            live_cast,
            reference="CLE-26-9101",
            occurred_at=now - dt.timedelta(days=3),
            reported_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=10),
        ),
    )
    event_record(
        actor=actor_for_user(live_cast.users["school.dsl"]),
        data=EventInput(
            kind=EventKind.REFERRAL,
            occurred_at=now - dt.timedelta(days=1),
            council=live_cast.organisations["council"],
            people=[PersonInput(person_id=live_cast.people["Amelia Hart"].pk)],
            summary="Came in hungry three days running; a bruise on her wrist",
        ),
    )
    while run_once("test"):
        pass

    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/inbox/")
    row = page.get_by_test_id("concerns-together")
    expect(row).to_contain_text("2 agencies recorded concerns about Amelia Hart within 7 days of each other")
    expect(row).to_contain_text("Cleveland Police and Riverside Primary School (demo)")
    check_accessibility(page)

    page.get_by_role("link", name="Concerns from two or more agencies").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concerns from two or more agencies")
    expect(page.get_by_text("Raised by OpenMASH for Stockton-on-Tees")).to_be_visible()
    concerns = page.get_by_test_id("concerns")
    expect(concerns.locator("tbody tr")).to_have_count(2)
    expect(concerns.locator("tbody tr").nth(0)).to_contain_text("Cleveland Police")
    expect(concerns.locator("tbody tr").nth(0)).to_contain_text("Domestic abuse incident CLE-26-9101")
    expect(concerns.locator("tbody tr").nth(1)).to_contain_text("Riverside Primary School (demo)")
    expect(concerns.locator("tbody tr").nth(1)).to_contain_text("Came in hungry three days running")
    expect(page.get_by_test_id("decision-due")).to_contain_text("Not yet due")
    check_accessibility(page)

    page.get_by_label("Early help").check()
    page.get_by_label("Reasons for the decision").fill("School and police to join an early help assessment")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("acknowledged")).to_contain_text("Early help")
    check_accessibility(page)
