"""A police officer opens Amelia's record, follows the chronology link, sees what the force may see and how
much is hidden, filters by agency, and downloads the CSV. Accessible at every step."""

import csv
import io

from playwright.sync_api import expect

from tests.chronology.stories import record_story


def test_officer_reads_a_child_s_chronology_and_filters_it(
    page, live_server, live_cast, sign_in, check_accessibility
):
    record_story(live_cast)
    amelia = live_cast.people["Amelia Hart"]
    sign_in(page, "police.officer")

    page.goto(f"{live_server.url}/people/{amelia.pk}/")
    expect(page.get_by_role("heading", name="Amelia Hart", level=1)).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Chronology: every event from every agency").click()
    expect(page.get_by_role("heading", name="Chronology", level=1)).to_be_visible()
    expect(page).to_have_title("Chronology: Amelia Hart - OpenMASH")
    expect(page.get_by_test_id("hidden-note")).to_have_text(
        "2 entries from other agencies are hidden because your organisation has no reason to see them."
    )
    entries = page.get_by_test_id("entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Domestic abuse incident CLE-26-2001")
    expect(entries.nth(0)).to_contain_text("Priya Shah (police.officer)")
    expect(entries.nth(1)).to_contain_text("Missing child report")
    expect(entries.nth(1)).to_contain_text("Stockton-on-Tees")
    check_accessibility(page)

    page.get_by_label("Agency").select_option(label="Stockton-on-Tees")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{live_server.url}/people/{amelia.pk}/chronology/?agency=E06000004&type=")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Did not come home from school")
    expect(page.get_by_label("Agency")).to_have_value("E06000004")
    # The count of hidden entries does not change with the filters.
    expect(page.get_by_test_id("hidden-note")).to_contain_text("2 entries")
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    assert [row["Type"] for row in rows] == ["missing"]

    page.get_by_role("link", name="Your organisation's copy").click()
    expect(page.get_by_role("heading", name="Missing child report")).to_be_visible()
    check_accessibility(page)
