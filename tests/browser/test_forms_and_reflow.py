"""Walking the service as several roles: every error summary's links reach a control (WCAG 3.3.1), and at 320px
no page scrolls sideways outside a table's own scroll region (1.4.10). Every page has the same help link."""

import re

from playwright.sync_api import expect

from tests.browser.incident_pages import add_child, answer_add_another, answer_the_incident

ROLES = ["police.officer", "mash.practitioner", "team.manager", "council.admin", "school.dsl", "inspector"]
# Links not followed: downloads, signing out, the API's pages.
SKIP = re.compile(r"sign-out|export|download|\.csv|\.pdf|\.xlsx|format=pdf|/api/|/static/|/system-admin/")


def _walk(page, live_server, limit: int = 30):
    """Each page reachable from the home page through the navigation and main content, breadth first."""
    seen: list[str] = []
    queue = ["/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        page.goto(f"{live_server.url}{path}")
        yield path
        hrefs = page.eval_on_selector_all(
            "main a[href^='/'], header nav a[href^='/']",
            "links => links.map(link => link.getAttribute('href'))",
        )
        for href in hrefs:
            target = href.split("#")[0]
            if target and target not in seen and target not in queue and not SKIP.search(target):
                queue.append(target)


def _focus_problems(page, path: str) -> list[str]:
    problems = []
    links = page.locator(".govuk-error-summary a")
    for index in range(links.count()):
        link = links.nth(index)
        href, text = link.get_attribute("href"), link.inner_text()
        link.click()
        focused = page.evaluate("document.activeElement && document.activeElement.tagName")
        if focused not in ("INPUT", "SELECT", "TEXTAREA"):
            problems.append(f"{path}: '{text}' ({href}) focused {focused}")
    return problems


def test_every_error_summary_link_reaches_a_control(
    browser, live_server, live_cast, sign_in, check_accessibility
):
    problems: list[str] = []
    summaries = 0
    anonymous = browser.new_context().new_page()
    anonymous.goto(f"{live_server.url}/sign-in/")
    anonymous.get_by_role("button", name="Sign in").click()
    expect(anonymous.locator(".govuk-error-summary")).to_be_visible()
    problems += _focus_problems(anonymous, "/sign-in/")
    summaries += 1

    for role in ROLES:
        page = browser.new_context().new_page()
        sign_in(page, role)
        forms = []
        for path in _walk(page, live_server, limit=45):
            count = page.locator("main form").count()
            forms += [(path, index) for index in range(count)]
        for path, index in forms:
            page.goto(f"{live_server.url}{path}")
            # A form folded away ("Change the period") is opened first, as its user would.
            page.evaluate(
                "document.querySelectorAll('main details').forEach(details => { details.open = true })"
            )
            form = page.locator("main form").nth(index)
            button = form.locator("button:not([type=button]), input[type=submit]").first
            if not button.count() or button.inner_text() in ("Filter", "Send again", "Revoke"):
                continue
            button.click()
            page.wait_for_load_state()
            if not page.locator(".govuk-error-summary").count():
                continue
            summaries += 1
            assert page.title().startswith("Error: "), page.url
            check_accessibility(page)
            problems += _focus_problems(page, path)
        page.context.close()
    assert problems == []
    assert summaries >= 15  # the walk found the service's forms


def test_an_error_about_a_child_says_which_child(page, live_server, live_cast, sign_in, check_accessibility):
    sign_in(page, "police.officer")
    page.goto(f"{live_server.url}/incidents/domestic-abuse/new/")
    answer_the_incident(page, "CLE-26-7001")
    add_child(page, 1, "Zara", "Quinn", ("2", "4", "2015"))
    answer_add_another(page, yes=True)
    page.locator("#id_child2-given_name").fill("Max")
    page.locator("#id_child2-date_of_birth_0").fill("12")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Child 2: Date of birth must include a day, month and year")
    link = summary.get_by_role("link").filter(has_text="Child 2: ").first
    link.click()
    assert page.evaluate("document.activeElement.id").startswith("id_child2-")
    check_accessibility(page)


def test_no_page_scrolls_sideways_at_320px_and_each_has_the_help_link(
    browser, live_server, live_cast, sign_in
):
    wide: list[str] = []
    for role in ROLES:
        page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
        sign_in(page, role)
        for path in _walk(page, live_server, limit=20):
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide.append(f"{role} {path}: {width}px")
            expect(page.locator("footer").get_by_role("link", name="Help")).to_have_attribute(
                "href", "/help/"
            )
        page.context.close()
    assert wide == []


def test_help_and_accessibility_statement_are_public_and_accessible(page, live_server, check_accessibility):
    page.goto(f"{live_server.url}/sign-in/")
    page.locator("footer").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="Help using OpenMASH", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What each role can do")).to_be_visible()
    check_accessibility(page)
    page.locator("footer").get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_text("partially compliant")).to_be_visible()
    expect(
        page.get_by_role("link", name="contact the Equality Advisory and Support Service (EASS)")
    ).to_be_visible()
    check_accessibility(page)
