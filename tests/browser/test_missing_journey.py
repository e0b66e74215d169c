"""A missing child's journey across agencies, with axe on every page (issue 15): a carer reports a child missing;
the social worker's inbox shows it live; the child is found; the return-interview practitioner offers and
records an interview within the clock; the council's missing list shows it; a second and third episode raise
the repeat-missing flag on the front door's inbox."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from openmash.lib.instants import LONDON
from openmash.missing.models import MissingEpisode
from tests.missing.conftest import ago

ROWS = "[data-testid=inbox-table] tbody tr"


def _fill_when(page, prefix: str, hours_ago: float) -> None:
    at = timezone.localtime(timezone.now() - dt.timedelta(hours=hours_ago), LONDON)
    page.fill(f"[name={prefix}_date_0]", str(at.day))
    page.fill(f"[name={prefix}_date_1]", str(at.month))
    page.fill(f"[name={prefix}_date_2]", str(at.year))
    page.fill(f"[name={prefix}_time]", f"{at:%H:%M}")


def _another_episode(cast, days_ago: int) -> None:
    from openmash.accounts.actors import actor_for_user
    from openmash.missing import services
    from openmash.recording.services import PersonInput

    carer = actor_for_user(cast.users["home.carer"])
    episode = services.missing_report_record(
        actor=carer,
        data=services.MissingReportInput(
            last_seen_at=ago(days=days_ago, hours=1),
            reported_at=ago(days=days_ago, minutes=40),
            child=PersonInput(person_id=cast.people["Leo Marsh"].pk),
            last_seen_where="Oak House",
        ),
    ).episode
    if days_ago:
        services.found_report_record(
            actor=carer, episode=episode, data=services.FoundInput(found_at=ago(days=days_ago - 1))
        )


def test_a_carer_reports_missing_and_every_agency_plays_its_part(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    leo = live_cast.people["Leo Marsh"]
    worker_page = browser.new_context().new_page()
    sign_in(worker_page, "social.worker")
    worker_page.goto(f"{live_server.url}/inbox/")
    check_accessibility(worker_page)
    worker_page.wait_for_timeout(500)  # the live stream connects

    # The carer reports Leo missing from his record.
    carer = browser.new_context().new_page()
    sign_in(carer, "home.carer")
    carer.goto(f"{live_server.url}/people/{leo.pk}/")
    check_accessibility(carer)
    carer.get_by_role("link", name="Report this child missing").click()
    expect(carer.get_by_role("heading", level=1)).to_have_text("Report Leo Marsh missing")
    check_accessibility(carer)
    carer.get_by_role("button", name="Report missing").click()  # nothing filled in: every problem listed
    expect(carer.locator(".govuk-error-summary")).to_contain_text("Enter the date last seen")
    check_accessibility(carer)
    carer.get_by_label("Missing", exact=True).check()
    _fill_when(carer, "last_seen", 2)
    carer.get_by_label("Where was the child last seen?").fill("Oak House, Thornaby")
    carer.get_by_label("High").check()
    carer.get_by_role("button", name="Report missing").click()
    expect(carer.get_by_test_id("status")).to_contain_text("Still missing")
    check_accessibility(carer)

    # The social worker's inbox shows it without reloading.
    row = worker_page.locator(ROWS).filter(has_text="Missing child report")
    expect(row).to_have_count(1, timeout=5000)
    expect(row).to_contain_text("Leo Marsh")
    check_accessibility(worker_page)

    # Found, by the carer.
    carer.get_by_role("link", name="Record Leo Marsh found").click()
    check_accessibility(carer)
    _fill_when(carer, "found", 1.5)
    carer.get_by_label("Where was the child found or where did they return to?").fill("Stockton bus station")
    carer.get_by_role("button", name="Record found").click()
    expect(carer.get_by_test_id("status")).to_contain_text("Found")
    episode = MissingEpisode.objects.get()

    # The return-interview practitioner sees Leo among the returned children, offers and records the interview.
    interviewer = browser.new_context().new_page()
    sign_in(interviewer, "return.interviewer")
    interviewer.goto(f"{live_server.url}/missing/")
    expect(interviewer.get_by_test_id("returned")).to_contain_text("Not offered yet")
    check_accessibility(interviewer)
    interviewer.get_by_role("link", name="Leo Marsh").click()
    check_accessibility(interviewer)
    interviewer.get_by_role("link", name="Offer a return home interview").click()
    check_accessibility(interviewer)
    _fill_when(interviewer, "offered", 1)
    interviewer.get_by_label("Who was the interview offered to?").fill("Leo and his key worker")
    interviewer.get_by_label("Accepted").check()
    interviewer.get_by_role("button", name="Record offer").click()
    expect(interviewer.get_by_test_id("interview-response")).to_contain_text("Accepted")
    expect(interviewer.get_by_test_id("steps")).to_contain_text("met with")
    interviewer.get_by_role("link", name="Record the return home interview").click()
    check_accessibility(interviewer)
    _fill_when(interviewer, "held", 0.5)
    interviewer.get_by_label("Where was it held?").fill("Thornaby library")
    interviewer.get_by_label("Who held the interview?").select_option(label="Jo Wells")
    interviewer.get_by_label("Why the child went missing").fill("Went to meet older boys he met online")
    interviewer.get_by_label("County lines").check()
    interviewer.get_by_role("button", name="Record interview").click()
    expect(interviewer.get_by_test_id("independence")).to_have_text("Yes")
    check_accessibility(interviewer)

    # The council's missing list shows it, offered within the 72 hours.
    worker_page.goto(f"{live_server.url}/missing/list/")
    line = worker_page.get_by_test_id(f"line-{leo.pk}")
    expect(line).to_contain_text("Offered within 72 hours, accepted")
    check_accessibility(worker_page)
    worker_page.goto(f"{live_server.url}/missing/episodes/{episode.pk}/")
    check_accessibility(worker_page)

    # A second and a third episode within 90 days: the third raises the flag on the front door's inbox.
    _another_episode(live_cast, 20)
    worker_page.goto(f"{live_server.url}/inbox/")
    worker_page.wait_for_timeout(500)
    expect(worker_page.get_by_test_id("repeat-missing")).to_have_count(0)
    _another_episode(live_cast, 0)
    expect(worker_page.get_by_test_id("repeat-missing")).to_have_count(1, timeout=5000)
    expect(worker_page.locator(ROWS).filter(has_text="Repeat missing")).to_contain_text(
        "3 episodes in 90 days: consider a strategy discussion"
    )
    check_accessibility(worker_page)
