"""Inspection access in the browser: the area's administrator grants a named inspector access on the GOV.UK pages
(check your answers, confirmation); the inspector reads the measures, downloads a list and draws the sample,
opening a sampled child's record; when the grant's end time passes, every page says access has ended; the
administrator sees who looked at what. axe on every page."""

import datetime as dt
import io
from pathlib import Path

import time_machine
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from openmash.access.models import Inspection


def _fill_when(page, label: str, when: dt.datetime) -> None:
    group = page.get_by_role("group", name=f"Date access {label}")
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))
    page.get_by_label(f"Time access {label}").fill(when.strftime("%H:%M"))


def test_granted_used_then_ended(browser, page, live_server, live_cast, sign_in, check_accessibility):
    # The administrator grants access from now for ten minutes (London time, to the minute).
    now = timezone.localtime().replace(second=0, microsecond=0)
    ends = now + dt.timedelta(minutes=10)
    sign_in(page, "council.admin")
    page.get_by_role("link", name="Inspection access").click()
    check_accessibility(page)
    page.get_by_role("link", name="Grant access to an inspection team").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Select the inspectorate")
    check_accessibility(page)
    page.get_by_label("Ofsted").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="The team, when and why")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Olu Adeyemi (inspector)").check()
    _fill_when(page, "starts", now)
    _fill_when(page, "ends", ends)
    page.get_by_label("Inspection reference").fill("ILACS-BROWSER-1")
    page.get_by_label("Why the team needs access").fill("Inspection of local authority children's services")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("check-answers")).to_contain_text("Olu Adeyemi")
    check_accessibility(page)
    page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("heading", name="Access granted")).to_be_visible()
    check_accessibility(page)
    grant = Inspection.objects.get(reference="ILACS-BROWSER-1")

    # The inspector, in a browser of their own, uses it.
    inspector = browser.new_context(accept_downloads=True).new_page()
    sign_in(inspector, "inspector")
    inspector.get_by_role("link", name="ILACS-BROWSER-1", exact=True).click()
    expect(inspector.get_by_test_id("access-window")).to_contain_text("Access then ends by itself")
    check_accessibility(inspector)
    inspector.get_by_role("link", name="Measures for the last 12 months").click()
    expect(inspector.get_by_role("heading", name="Missing children")).to_be_visible()
    check_accessibility(inspector)
    inspector.go_back()
    with inspector.expect_download() as download:
        inspector.get_by_test_id("list-8").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book["List 8"].iter_rows(values_only=True))
    assert rows[0][:2] == ("OpenMASH id", "Name") and [row[1] for row in rows[1:]] == ["Leo Marsh"]
    inspector.get_by_role("link", name="How the cases were sampled, and draw the sample").click()
    check_accessibility(inspector)
    inspector.get_by_role("button", name="Draw the sample").click()
    expect(inspector.get_by_test_id("sampled")).to_contain_text("Leo Marsh")
    check_accessibility(inspector)
    inspector.get_by_test_id("sampled").get_by_role("link", name="Amelia Hart").click()
    expect(inspector.get_by_role("heading", name="Amelia Hart")).to_be_visible()
    check_accessibility(inspector)

    # The end time passes: access ends by itself, with nothing run.
    with time_machine.travel(grant.ends_at + dt.timedelta(minutes=1)):
        inspector.goto(f"{live_server.url}/inspection-access/{grant.pk}/measures/")
        expect(inspector.get_by_role("heading", name="Your access has ended")).to_be_visible()
        expect(inspector.get_by_test_id("access-state")).to_contain_text("ended on")
        check_accessibility(inspector)
        inspector.go_back()
        inspector.reload()
        expect(inspector.get_by_role("heading", name="Amelia Hart")).not_to_be_visible()

        # The area sees who looked at what.
        page.goto(f"{live_server.url}/administration/inspections/{grant.pk}/")
        expect(page.get_by_test_id("grant-state")).to_contain_text("Access ended")
        check_accessibility(page)
        page.get_by_role("link", name="Who has looked at what").click()
        looks = page.get_by_test_id("looks")
        expect(looks).to_contain_text("Downloaded list 8 (children in care): 1 child")
        expect(looks).to_contain_text("Opened the child's record")
        expect(looks).to_contain_text("Amelia Hart")
        check_accessibility(page)
