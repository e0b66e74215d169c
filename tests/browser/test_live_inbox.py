"""The live inbox beyond axe: an arrival is inserted as one row without moving focus or what is being read,
and is announced in a short status message; live updates can be paused; an ended session is said plainly
instead of putting the sign-in page inside the inbox."""

from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.lib.govuk import govuk_datetime
from openmash.recording.services import event_record
from openmash.sharing.models import Share
from tests.sharing.conftest import incident_at_amelias_home

ROWS = "[data-testid=inbox-table] tbody tr"


def _record(cast, reference: str) -> None:
    officer = actor_for_user(cast.users["police.officer"])
    event_record(actor=officer, data=incident_at_amelias_home(cast, reference=reference))


def _open_inbox_with_rows(page, live_server, cast, sign_in, count: int) -> int:
    for number in range(count):
        _record(cast, f"CLE-26-11{number:02d}")
    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator(ROWS).filter(has_text=f"CLE-26-11{count - 1:02d}")).to_have_count(1, timeout=5000)
    page.wait_for_timeout(500)  # the live stream connects
    return page.locator(ROWS).count()


def test_an_arrival_keeps_focus_and_place_and_is_announced(
    page, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    page.set_viewport_size({"width": 1000, "height": 500})
    before = _open_inbox_with_rows(page, live_server, live_cast, sign_in, 3)
    check_accessibility(page)
    name = page.locator(f"{ROWS} a").nth(2).inner_text()
    third = page.get_by_role("link", name=name, exact=True)
    third.focus()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    top = third.evaluate("link => link.getBoundingClientRect().top")

    _record(live_cast, "CLE-26-1199")
    expect(page.locator(ROWS)).to_have_count(before + 1, timeout=5000)

    assert page.evaluate("document.activeElement.textContent") == name
    assert abs(third.evaluate("link => link.getBoundingClientRect().top") - top) < 1
    status = page.get_by_role("status")
    expect(status).to_contain_text("New: domestic abuse incident CLE-26-1199 about Amelia Hart")
    # The council's own deadline runs from arrival (1 working day), whatever the police's lateness.
    due = Share.objects.get(event__reference="CLE-26-1199", recipient__code="E06000004").due_at
    expect(status).to_contain_text(f"decision due {govuk_datetime(due)}")
    new_row = page.locator(ROWS).filter(has_text="CLE-26-1199")
    expect(new_row.locator(".govuk-tag", has_text="New")).to_be_visible()
    check_accessibility(page)


def test_paused_updates_wait_for_resume(
    page, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    before = _open_inbox_with_rows(page, live_server, live_cast, sign_in, 1)
    page.get_by_role("button", name="Pause live updates").click()
    expect(page.get_by_role("status")).to_contain_text("Live updates paused")
    check_accessibility(page)

    _record(live_cast, "CLE-26-1198")
    expect(page.get_by_role("button", name="Resume live updates (1 new)")).to_be_visible(timeout=5000)
    page.wait_for_timeout(500)
    expect(page.locator(ROWS)).to_have_count(before)

    page.get_by_role("button", name="Resume live updates").click()
    expect(page.locator(ROWS)).to_have_count(before + 1, timeout=5000)
    expect(page.get_by_role("status")).to_contain_text("CLE-26-1198")
    expect(page.get_by_role("button", name="Pause live updates")).to_be_visible()


def test_an_ended_session_is_said_and_no_page_is_nested(
    page, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    _open_inbox_with_rows(page, live_server, live_cast, sign_in, 1)
    Session.objects.all().delete()
    _record(live_cast, "CLE-26-1197")

    signed_out = page.get_by_test_id("signed-out")
    expect(signed_out).to_contain_text("You have been signed out", timeout=10000)
    expect(signed_out.get_by_role("link", name="Sign in again")).to_have_attribute(
        "href", "/sign-in/?next=/inbox/"
    )
    expect(page.locator("h1")).to_have_count(1)
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == []
    expect(page.get_by_role("button", name="Pause live updates")).to_be_hidden()
    check_accessibility(page)
