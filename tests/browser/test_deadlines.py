"""A team manager's deadlines: a breached clock escalated to them, opened and recorded as done late with a
reason; an administrator sets the area's own figure for a local default. axe on every page."""

import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from openmash.clocks.models import Clock
from openmash.clocks.services import clock_start, clocks_sweep_breaches

LONDON = ZoneInfo("Europe/London")


def test_a_breached_clock_reaches_the_team_manager_who_records_it_done(
    page, live_server, live_cast, sign_in, check_accessibility
):
    clock = clock_start(
        rule="assessment",
        started_at=dt.datetime(2025, 9, 1, 9, 0, tzinfo=LONDON),
        organisation=live_cast.organisations["council"],
        subject_type="share",
        subject_id="browser-1",
        person=live_cast.people["Amelia Hart"],
        owner=live_cast.users["social.worker"],
    )
    clocks_sweep_breaches()  # what the worker does every 15 seconds

    sign_in(page, "team.manager")
    page.get_by_role("link", name="Escalations (1)").first.click()
    expect(page.get_by_test_id("escalations")).to_contain_text("Amelia Hart")
    check_accessibility(page)
    page.get_by_role("link", name="Deadlines").first.click()
    expect(page.get_by_role("heading", name="Deadlines")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="My team").click()
    expect(page.get_by_test_id("count-overdue")).to_have_text("1")
    check_accessibility(page)

    page.get_by_test_id("overdue").get_by_role("link", name="Child and family assessment", exact=True).click()
    expect(page.get_by_test_id("clock")).to_contain_text("Overdue")
    expect(page.get_by_test_id("clock")).to_contain_text("45 working days")
    check_accessibility(page)
    page.locator("#id_done_date_0").fill("10")
    page.locator("#id_done_date_1").fill("11")
    page.locator("#id_done_date_2").fill("2025")
    page.get_by_label("Time it was done").fill("16:00")
    page.get_by_role("button", name="Record that this was done").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the delay")
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    page.get_by_label("Reason for the delay").fill("Assessment finished; recorded late after a system outage")
    page.get_by_role("button", name="Record that this was done").click()
    expect(page.get_by_test_id("clock")).to_contain_text("Late")
    expect(page.get_by_test_id("clock")).to_contain_text("recorded late after a system outage")
    check_accessibility(page)
    clock.refresh_from_db()
    assert clock.stopped_at == dt.datetime(2025, 11, 10, 16, 0, tzinfo=LONDON)  # due end of Mon 3 Nov
    assert Clock.objects.get(pk=clock.pk).breach_reason.startswith("Assessment finished")


def test_an_administrator_sets_the_areas_figure(page, live_server, live_cast, sign_in, check_accessibility):
    sign_in(page, "council.admin")
    page.goto(f"{live_server.url}/deadlines/rules/")
    check_accessibility(page)
    page.get_by_role("link", name="Set your area's figure for Strategy discussion").click()
    check_accessibility(page)
    page.get_by_role("button", name="Save the area's figure").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the figure")
    check_accessibility(page)
    page.get_by_label("working days").check()
    page.get_by_label("Figure").fill("3")
    page.get_by_label("Where the area agreed this").fill("Tees procedures 4.2")
    page.get_by_role("button", name="Save the area's figure").click()
    expect(page.get_by_test_id("rule-strategy-discussion")).to_contain_text("Tees procedures 4.2")
    check_accessibility(page)


def test_a_school_sets_its_term_breaks(page, live_server, live_cast, sign_in, check_accessibility):
    sign_in(page, "school.dsl")
    page.get_by_role("link", name="Deadlines").first.click()
    page.get_by_role("link", name="How each deadline is counted").click()
    check_accessibility(page)
    page.get_by_role("link", name="School days: term breaks and the start of the school day").click()
    expect(page.get_by_test_id("school-day-start")).to_contain_text("8:30am")
    check_accessibility(page)
    page.get_by_role("button", name="Add the break").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the break")
    check_accessibility(page)
    page.get_by_label("Name").fill("Christmas holiday")
    page.locator("#id_first_day_0").fill("21")
    page.locator("#id_first_day_1").fill("12")
    page.locator("#id_first_day_2").fill("2026")
    page.locator("#id_last_day_0").fill("1")
    page.locator("#id_last_day_1").fill("1")
    page.locator("#id_last_day_2").fill("2027")
    page.get_by_role("button", name="Add the break").click()
    expect(page.get_by_test_id("term-breaks")).to_contain_text("Christmas holiday")
    page.get_by_label("School day starts at").fill("08:50")
    page.get_by_role("button", name="Save the start time").click()
    expect(page.get_by_test_id("school-day-start")).to_contain_text("8:50am")
    check_accessibility(page)


def test_an_inspector_reads_the_councils_clocks(page, live_server, live_cast, sign_in, check_accessibility):
    clock_start(
        rule="assessment",
        started_at=dt.datetime(2025, 9, 1, 9, 0, tzinfo=LONDON),
        organisation=live_cast.organisations["council"],
        subject_type="share",
        subject_id="browser-inspection",
        person=live_cast.people["Amelia Hart"],
    )
    sign_in(page, "inspector")
    check_accessibility(page)
    # The inspection's summary (the team's own pages are tests/browser/test_inspection_access.py).
    page.get_by_role("link", name="summary of ILACS-DEMO").first.click()
    row = page.get_by_test_id("clock-measure-assessment")
    expect(row).to_contain_text("Child and family assessment")
    expect(page.get_by_test_id("clock-measures")).not_to_contain_text("Amelia")
    # Issue 16's measures of the area for the year, counts only.
    expect(page.get_by_test_id("measures-1")).to_contain_text("Sent in batches")
    expect(page.get_by_test_id("measures-2")).to_contain_text("Council told in time")
    check_accessibility(page)
