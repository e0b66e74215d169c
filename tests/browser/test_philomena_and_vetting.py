"""The Philomena Protocol and the vetting tracker, driven in the browser with axe on every page.

Leo Marsh's social worker keeps his Philomena profile (with a photo); she reports him missing; Cleveland
Police's officer finds the profile in the inbox at once, opens it, and the social worker sees that opening
on the profile. Then the council asks for vetting checks on a prospective foster carer, and Cleveland's vetting
officer moves the request through its stages while the backlog shows it."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

LONDON = ZoneInfo("Europe/London")


def _photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((60, 80), 40).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def _fill_date(page, prefix: str, day: dt.date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_a_missing_report_puts_the_profile_in_front_of_the_police_at_once(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    leo = live_cast.people["Leo Marsh"]
    contexts = [browser.new_context() for _ in range(2)]
    worker, police = (context.new_page() for context in contexts)
    try:
        sign_in(worker, "social.worker")
        worker.goto(f"{live_server.url}/people/{leo.pk}/")
        worker.get_by_role("link", name="Philomena profile").click()
        check_accessibility(worker)
        worker.get_by_role("link", name="Start the profile").click()
        check_accessibility(worker)
        # A file that is not an image is refused, whatever it is called.
        worker.get_by_label("Upload a recent photo").set_input_files(
            {"name": "leo.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a photo</html>"}
        )
        worker.get_by_role("button", name="Save the profile").click()
        expect(worker.locator(".govuk-error-summary")).to_contain_text("The photo must be a JPG or PNG")
        check_accessibility(worker)
        worker.get_by_label("Description").fill("Tall, short dark hair, scar above his left eyebrow")
        worker.get_by_label("Upload a recent photo").set_input_files(
            {"name": "leo.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
        )
        worker.get_by_label("Known associates").fill("Kyle, friend from school, often at the skate park")
        worker.get_by_label("Places the child may go").fill("Thornaby skate park\nStockton bus station")
        worker.get_by_label("Phone numbers").fill("07700 900123 (Leo's own)")
        worker.get_by_label("Medication").fill("Salbutamol inhaler")
        worker.get_by_role("button", name="Save the profile").click()
        expect(worker.get_by_text("Philomena profile saved")).to_be_visible()
        expect(worker.get_by_test_id("photo")).to_be_visible()
        check_accessibility(worker)

        # The police officer has nothing of Leo's yet.
        sign_in(police, "police.officer")
        assert police.goto(f"{live_server.url}/people/{leo.pk}/philomena/").status == 404

        worker.goto(f"{live_server.url}/people/{leo.pk}/")
        worker.get_by_role("link", name="Report this child missing").click()
        last_seen = timezone.localtime(timezone.now() - dt.timedelta(hours=2), LONDON)
        worker.get_by_label("Missing", exact=True).check()
        _fill_date(worker, "last_seen_date", last_seen.date())
        worker.fill("[name=last_seen_time]", last_seen.strftime("%H:%M"))
        worker.get_by_label("Where was the child last seen?").fill(
            "Did not come back to Oak House after school"
        )
        worker.get_by_label("High").check()
        worker.get_by_role("button", name="Report missing").click()
        expect(worker.get_by_test_id("status")).to_contain_text("Still missing")
        check_accessibility(worker)

        # At once: the release is a share of its own in the force's inbox.
        police.goto(f"{live_server.url}/inbox/")
        release = police.get_by_role("link", name="Philomena profile released")
        expect(release).to_be_visible(timeout=5000)
        check_accessibility(police)
        release.click()
        check_accessibility(police)
        police.get_by_role("link", name="Open the Philomena profile").click()
        expect(police.get_by_test_id("profile")).to_contain_text("scar above his left eyebrow")
        expect(police.get_by_test_id("profile")).to_contain_text("Stockton bus station")
        expect(police.get_by_test_id("released")).to_contain_text("Released to Cleveland Police")
        expect(police.get_by_test_id("photo")).to_be_visible()
        assert police.evaluate("document.querySelector('[data-testid=photo]').naturalWidth") == 60
        expect(police.get_by_test_id("episodes")).to_contain_text("Stockton-on-Tees")
        check_accessibility(police)

        # The council sees who opened it, from the audit trail.
        worker.goto(f"{live_server.url}/people/{leo.pk}/philomena/")
        expect(worker.get_by_test_id("openings")).to_contain_text("Priya Shah")
        expect(worker.get_by_test_id("openings")).to_contain_text("Cleveland Police")
        expect(worker.get_by_test_id("releases")).to_contain_text("Cleveland Police")
        check_accessibility(worker)
    finally:
        for context in contexts:
            context.close()


def test_a_vetting_officer_moves_a_request_through_its_stages_and_the_backlog_shows_it(
    browser, live_server, live_cast, sign_in, check_accessibility
):
    contexts = [browser.new_context() for _ in range(2)]
    council, officer = (context.new_page() for context in contexts)
    try:
        sign_in(council, "social.worker")
        council.get_by_role("link", name="Vetting").first.click()
        check_accessibility(council)
        council.get_by_role("link", name="Ask for checks").click()
        check_accessibility(council)
        council.get_by_role("button", name="Ask for checks").click()
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter the person's first name")
        check_accessibility(council)
        council.get_by_label("First name").fill("Jordan")
        council.get_by_label("Last name").fill("Blake")
        _fill_date(council, "date_of_birth", dt.date(1984, 6, 1))
        council.get_by_label("Prospective foster carer").check()
        council.get_by_label("Placements waiting on this check (optional)").fill(
            "Two brothers, 6 and 9, matched with the Blake household"
        )
        council.get_by_role("button", name="Ask for checks").click()
        expect(council.get_by_text("Checks asked for from Cleveland Police")).to_be_visible()
        check_accessibility(council)

        sign_in(officer, "vetting.officer")
        officer.get_by_role("link", name="Vetting").first.click()
        expect(officer.get_by_role("heading", name="Vetting queue")).to_be_visible()
        check_accessibility(officer)
        officer.get_by_role("link", name="See the backlog").click()
        expect(officer.get_by_test_id("open")).to_have_text("1")
        expect(officer.get_by_test_id("applicants")).to_contain_text("1")
        expect(officer.get_by_test_id("blocking")).to_contain_text("Two brothers, 6 and 9")
        expect(officer.get_by_test_id("blocking")).to_contain_text(
            "Submitted, waiting for police local checks"
        )
        check_accessibility(officer)
        officer.get_by_role("link", name="Jordan Blake").click()
        check_accessibility(officer)
        for stage, shown in (
            ("Police local checks started", "started"),
            ("Police local checks completed", "completed"),
        ):
            officer.get_by_label(stage).check()
            officer.get_by_role("button", name="Record").click()
            expect(officer.get_by_test_id(shown)).not_to_have_text("Not yet")
            check_accessibility(officer)
        officer.goto(f"{live_server.url}/vetting/backlog/")
        expect(officer.get_by_test_id("blocking")).to_contain_text("Police local checks completed")
        officer.go_back()
        officer.get_by_label("Certificate issued").check()
        officer.get_by_label("No information disclosed").check()
        officer.get_by_role("button", name="Record").click()
        expect(officer.get_by_test_id("outcome")).to_contain_text("No information disclosed")
        expect(officer.get_by_test_id("clock")).to_contain_text("Met")
        check_accessibility(officer)
        officer.goto(f"{live_server.url}/vetting/backlog/")
        expect(officer.get_by_test_id("open")).to_have_text("0")
        expect(officer.get_by_test_id("overall")).to_contain_text("1 of 1 (100%")
        check_accessibility(officer)

        council.goto(f"{live_server.url}/vetting/?show=all")
        expect(council.get_by_test_id("requests")).to_contain_text("Certificate issued")
        check_accessibility(council)
    finally:
        for context in contexts:
            context.close()
