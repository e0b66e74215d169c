"""An administrator reads how long the organisation's records are kept and sets its own figure for child
protection records: a bad figure is listed in the error summary, a good one saved and shown. axe on every page."""

from playwright.sync_api import expect

from openmash.retention.models import RetentionSetting


def test_an_administrator_sets_how_long_child_protection_records_are_kept(
    page, live_server, live_cast, sign_in, check_accessibility
):
    sign_in(page, "council.admin")
    page.get_by_role("link", name="How long your records are kept").click()
    expect(page.get_by_role("heading", name="How long your records are kept")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Change how long child protection record records are kept").click()
    check_accessibility(page)
    page.get_by_label("Keep until which birthday?").fill("0")
    page.get_by_role("button", name="Save the figures").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The birthday must be between 1 and 150")
    expect(summary).to_contain_text("Enter why your organisation keeps these records for this long")
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    summary.get_by_role("link", name="Enter why your organisation keeps these records for this long").click()
    expect(page.get_by_label("Why does your organisation keep these records for this long?")).to_be_focused()
    page.get_by_label("Keep until which birthday?").fill("")
    page.get_by_label("Keep for how many years after the record?").fill("35")
    page.get_by_label("Why does your organisation keep these records for this long?").fill(
        "Schedule, March 2026"
    )
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_text("Child protection record: your organisation's figures are saved")).to_be_visible()
    expect(page.get_by_test_id("retention-rules")).to_contain_text("35 years after the end of the plan")
    check_accessibility(page)
    assert RetentionSetting.objects.get(rule="child-protection").years_after == 35
