"""The session timeout warning (WCAG 2.2.1, the GOV.UK pattern): a dialog before the session ends whose "Stay
signed in" extends it; if the session ends anyway, what was typed comes back after signing in again."""

from playwright.sync_api import expect


def _time_left(page) -> float:
    return page.evaluate(
        "fetch('/session/', {headers: {Accept: 'application/json'}}).then(r => r.json()).then(b => b.expires_in)"
    )


def test_the_warning_comes_before_the_end_and_stay_signed_in_extends_the_session(
    page, live_server, live_cast, sign_in, settings, check_accessibility
):
    settings.SESSION_COOKIE_AGE = 14
    settings.SESSION_WARNING_SECONDS = 10
    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/people/new/")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=8000)
    expect(dialog).to_contain_text("you will be signed out in less than a minute")
    check_accessibility(page)

    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert _time_left(page) > 12
    page.reload()
    expect(page.get_by_role("heading", name="Record a child")).to_be_visible()


def test_what_was_typed_comes_back_after_signing_in_again(
    page, live_server, live_cast, sign_in, settings, demo_password, check_accessibility
):
    settings.SESSION_COOKIE_AGE = 8
    settings.SESSION_WARNING_SECONDS = 5
    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("First name").fill("Zara")
    page.get_by_label("Last name").fill("Quinn")

    page.wait_for_url("**/sign-in/?timed_out=1&next=%2Fpeople%2Fnew%2F", timeout=15000)
    expect(page.get_by_text("You have been signed out")).to_be_visible()
    check_accessibility(page)
    settings.SESSION_COOKIE_AGE = 600
    page.get_by_label("User name").fill("mash.practitioner")
    page.get_by_label("Password").fill(demo_password)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/people/new/")
    expect(page.get_by_label("First name")).to_have_value("Zara")
    expect(page.get_by_label("Last name")).to_have_value("Quinn")
    expect(page.get_by_test_id("typed-back")).to_contain_text("What you typed before you were signed out")
    check_accessibility(page)
    # Kept once: opening the page again starts empty.
    page.goto(f"{live_server.url}/people/new/")
    expect(page.get_by_label("First name")).to_have_value("")
