"""A council's administrator sets the area's repeat-missing figures from the page of its other figures: bad
numbers are listed in the error summary, good ones saved and shown. axe on every page."""

from playwright.sync_api import expect

from openmash.missing.services import repeat_figures


def test_an_administrator_sets_the_repeat_missing_figures(
    page, live_server, live_cast, sign_in, check_accessibility
):
    sign_in(page, "council.admin")
    page.goto(f"{live_server.url}/deadlines/rules/")
    check_accessibility(page)
    page.get_by_role("link", name="Repeat missing: how many episodes in how many days raise the flag").click()
    expect(page.get_by_test_id("repeat-now")).to_contain_text("3 episodes in 90 days")
    check_accessibility(page)
    page.get_by_label("How many episodes make a child repeat missing?").fill("1")
    page.get_by_label("Within how many days?").fill("")
    page.get_by_role("button", name="Save the figures").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The number of episodes must be between 2 and 20")
    expect(summary).to_contain_text("Enter the number of days")
    assert page.title().startswith("Error: ")
    check_accessibility(page)
    # The summary's links take the reader to the field at fault.
    summary.get_by_role("link", name="Enter the number of days").click()
    expect(page.get_by_label("Within how many days?")).to_be_focused()
    page.get_by_label("How many episodes make a child repeat missing?").fill("4")
    page.get_by_label("Within how many days?").fill("60")
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_text("Repeat missing is now 4 episodes in 60 days")).to_be_visible()
    check_accessibility(page)
    assert repeat_figures(live_cast.organisations["council"]) == (4, 60)
    page.get_by_role("link", name="Repeat missing: how many episodes in how many days raise the flag").click()
    expect(page.get_by_test_id("repeat-now")).to_contain_text("4 episodes in 60 days")
    check_accessibility(page)
