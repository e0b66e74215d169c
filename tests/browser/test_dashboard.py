"""A partnership lead opens the area's measures, changes the period (a wrong date first), follows a count to
the cases behind it, reads the findings and how a figure is counted. axe on every page."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from openmash.demo.story import demo_story_load
from openmash.insight.models import NationalComparison
from openmash.insight.services import national_comparisons_refresh
from openmash.insight.trends import default_period
from openmash.lib.govuk import govuk_date, govuk_time


def fill_period(page, first: tuple[str, str, str], last: tuple[str, str, str]) -> None:
    for name, values in (("from_date", first), ("to_date", last)):
        for n, value in enumerate(values):
            page.locator(f"#id_{name}_{n}").fill(value)
    page.get_by_role("button", name="Show this period").click()


def test_a_partnership_lead_reads_the_areas_measures(
    page, live_server, live_cast, sign_in, check_accessibility
):
    demo_story_load(live_cast)  # the demo's few days of history, recorded through the real services
    national_comparisons_refresh()  # the worker's job: the standard periods' national comparison stored
    last_12_months = default_period()
    stored = NationalComparison.objects.get(
        period_start=last_12_months.first_day, period_end=last_12_months.last_day
    )
    assert stored is not None and stored.computed_at is not None
    sign_in(page, "partnership.lead")
    page.get_by_role("link", name="Area measures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures for Stockton-on-Tees")
    # The last 12 months: the stored comparison, saying when the worker worked it out.
    expect(page.get_by_test_id("compared")).to_contain_text(
        f"National figures worked out at {govuk_time(stored.computed_at)} on {govuk_date(stored.computed_at)}."
    )
    expect(page.get_by_test_id("headlines")).to_contain_text("National median")
    # Each chart is an image described in words, with its figures in a table beside it.
    chart = page.get_by_test_id("chart-1")
    expect(chart.get_by_role("img")).to_have_attribute("alt", re.compile(r"^Line chart of "))
    check_accessibility(page)

    page.get_by_text("Change the period").click()
    fill_period(page, ("31", "2", "2026"), ("1", "1", "2026"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("First day must be a real date")
    assert page.title().startswith("Error: ")
    check_accessibility(page)

    today = timezone.localdate()
    first = today - dt.timedelta(days=30)
    fill_period(
        page,
        (str(first.day), str(first.month), str(first.year)),
        (str(today.day), str(today.month), str(today.year)),
    )
    expect(page.get_by_test_id("period")).to_contain_text(
        f"From {first.day} {first:%B %Y} to {today.day} {today:%B %Y}"
    )
    check_accessibility(page)

    page.get_by_role("link", name="Show the domestic-abuse notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Domestic-abuse notifications to children's social care"
    )
    expect(page.get_by_test_id("naming")).to_contain_text("counted here but not named")
    expect(page.get_by_test_id("area-list").locator("tbody tr")).not_to_have_count(0)
    check_accessibility(page)

    page.get_by_role("link", name="Back to the measures for Stockton-on-Tees").click()
    expect(page.get_by_test_id("period")).to_contain_text(f"From {first.day} {first:%B %Y}")
    page.get_by_role("link", name="Read the findings report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Findings for Stockton-on-Tees")
    check_accessibility(page)

    page.goto(f"{live_server.url}/areas/{live_cast.organisations['council'].code}/")

    page.get_by_role(
        "link", name="How it is counted for domestic-abuse notifications sent in batches"
    ).click()
    expect(page.locator("#domestic_abuse_notifications")).to_be_visible()
    check_accessibility(page)
