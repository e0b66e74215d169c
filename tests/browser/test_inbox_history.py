"""A council's inbox after a force's history is imported: live work by default, history apart under its own
link with its own count, each page accessible."""

import csv

from django.core.management import call_command
from playwright.sync_api import expect

from tests.sharing.test_import import HEADER, ROWS


def test_the_inbox_shows_history_apart_from_live_work(
    page, tmp_path, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    path = tmp_path / "history.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, "handled_at"])
        writer.writerows(
            [[*row, "2025-10-30T10:00:00" if index < 2 else ""] for index, row in enumerate(ROWS)]
        )
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police")

    sign_in(page, "mash.practitioner")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    views = page.get_by_role("navigation", name="Live work or history")
    expect(views.get_by_role("link", name="Live work (0)")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("count-overdue")).to_have_text("0")  # 26 days late, but nobody's work now
    expect(page.get_by_text("CLE-25-0001")).to_have_count(0)
    check_accessibility(page)

    views.get_by_role("link", name="History (1)").click()
    expect(views.get_by_role("link", name="History (1)")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("history-explained")).to_be_visible()
    row = page.get_by_test_id("inbox-table").get_by_role("row").filter(has_text="CLE-25-0001")
    expect(row).to_contain_text("Ava Stone")
    expect(row).to_contain_text("History")
    # The council decided the next day, within its working day from arrival: the weeks of delay were the
    # police's (the sender's clock), not the council's.
    expect(row).to_contain_text("handled 30 October 2025 at 10:00am, in time")
    check_accessibility(page)
