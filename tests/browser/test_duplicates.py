"""A MASH practitioner decides that a record the police made at an incident is Amelia, typed as the police knew
her; the records are linked; a team manager finds it was wrong and undoes the link. axe on every page."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import override_settings
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.matching.features import match_record
from openmash.matching.model import score
from openmash.merging.models import ReviewSource
from openmash.merging.services import review_raise
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


def test_a_possible_duplicate_is_decided_linked_and_unlinked(
    browser, live_server, live_cast, sign_in, check_accessibility
):
    amelia = live_cast.people["Amelia Hart"]
    # Recorded with matching at intake off, which would link her to Amelia at once: a second record.
    with override_settings(MATCHING_AT_INTAKE=False):
        _record_millie(live_cast, amelia)
    millie = Person.objects.get(given_name="Millie")
    review_raise(
        organisation=live_cast.organisations["council"],
        arriving_id=millie.pk,
        candidate_id=amelia.pk,
        score=score(
            match_record("Amelia", "Hart", amelia.date_of_birth, "F", []),
            match_record("Millie", "Hart", amelia.date_of_birth, None, []),
        ),
        source=ReviewSource.INTAKE,
    )
    page = browser.new_context().new_page()
    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/possible-duplicates/")
    expect(page.get_by_test_id("reviews")).to_contain_text("Millie Hart")
    check_accessibility(page)
    page.get_by_role("link", name="Decide").click()
    expect(page.get_by_test_id("comparison")).to_contain_text("Differs")
    check_accessibility(page)
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether these records are the same child"
    )
    check_accessibility(page)
    page.get_by_label("Yes").check()
    page.get_by_label("Why have you decided this?").fill("Same school and home; Millie is what she is called")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_test_id("reviews")).to_contain_text("Nothing is waiting")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Linked as one child")

    manager = browser.new_context().new_page()
    sign_in(manager, "team.manager")
    manager.goto(f"{live_server.url}/people/{amelia.pk}/linked-records/")
    expect(manager.get_by_role("heading", name="Millie Hart, born")).to_be_visible()
    check_accessibility(manager)
    manager.get_by_label("Why are these not the same child?").fill(
        "Millie is Amelia's twin: checked with the school"
    )
    manager.get_by_role("button", name="Undo this link").click()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("separate again")
    expect(manager.get_by_text("Undone")).to_be_visible()
    check_accessibility(manager)
    assert Person.objects.get(pk=millie.pk).merged_into_id is None


def _record_millie(live_cast, amelia):
    event_record(
        actor=actor_for_user(live_cast.users["police.ppu"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-7003",
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=LONDON),
            risk_level="medium",
            postcode="TS18 1AA",
            people=[PersonInput(given_name="Millie", family_name="Hart", date_of_birth=amelia.date_of_birth)],
        ),
    )
