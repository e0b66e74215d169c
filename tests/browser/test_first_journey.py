"""Sign in, find a child, open the record, see who has looked at it: accessible at every step."""

import re

from playwright.sync_api import expect


def test_social_worker_finds_a_child_and_sees_the_audit_panel(
    page, live_server, live_cast, sign_in, check_accessibility
):
    sign_in(page, "social.worker")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    expect(page.get_by_text("Stockton-on-Tees").first).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Find a person").first.click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    check_accessibility(page)

    # An empty search gets the GOV.UK error summary, focused, and an "Error:" title.
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a name, a date of birth or an identifier"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page)

    page.get_by_label("Name").fill("Amelia")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Amelia Hart").click()
    expect(page.get_by_role("heading", name="Amelia Hart", level=1)).to_be_visible()
    panel = page.get_by_test_id("access-log")
    expect(panel).to_contain_text("Dev Patel (social.worker)")
    expect(panel).to_contain_text("Viewed")
    expect(panel).to_contain_text("Recorded this person")
    check_accessibility(page)


def test_unrelated_agency_cannot_open_the_record(page, live_server, live_cast, sign_in, check_accessibility):
    sign_in(page, "bury.social.worker")
    response = page.goto(f"{live_server.url}/people/{live_cast.people['Amelia Hart'].pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check_accessibility(page)


def test_administrator_creates_an_account(page, live_server, live_cast, sign_in, check_accessibility):
    sign_in(page, "council.admin")
    page.get_by_role("link", name="Manage users").click()
    check_accessibility(page)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first name")
    check_accessibility(page)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Lowe")
    page.get_by_label("User name").fill("nia.lowe")
    page.get_by_label("Email address").fill("nia.lowe@example.org")
    page.get_by_label("Social worker").check()
    page.get_by_label("Temporary password").fill("a-long-enough-password-42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Account created for Nia Lowe")).to_be_visible()
    check_accessibility(page)
