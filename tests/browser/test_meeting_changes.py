"""A council moves a strategy discussion, invites the school and then cancels it, with the reason; the invited
police force's inbox shows each change as it happens, and the school's shows its invitation and the
cancellation. Accessible at every step, error summaries included."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.meetings import services


def _fill_date(page, prefix: str, day: dt.date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_a_council_moves_adds_an_agency_and_cancels_and_every_invitee_is_told(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    meeting = services.strategy_discussion_convene(
        actor=actor_for_user(live_cast.users["social.worker"]),
        child=live_cast.people["Amelia Hart"],
        scheduled_for=timezone.now() + dt.timedelta(days=2),
        invited=[live_cast.organisations["health"]],
    )
    school = live_cast.organisations["school"]
    what = f"Strategy discussion {meeting.reference}"
    council_context, police_context, school_context = (browser.new_context() for _ in range(3))
    council, police, school_page = (
        context.new_page() for context in (council_context, police_context, school_context)
    )
    try:
        sign_in(council, "social.worker")
        sign_in(police, "police.ppu")
        police.get_by_role("link", name="Inbox").first.click()
        expect(police.get_by_role("link", name=what, exact=True)).to_be_visible(timeout=5000)

        # Move it: a missing time is named in the error summary; then the new date and time.
        council.goto(f"{live_server.url}{reverse('meetings:detail', args=[meeting.pk])}")
        check_accessibility(council)
        council.get_by_role("link", name="Move the meeting").click()
        check_accessibility(council)
        council.get_by_role("button", name="Move the meeting").click()
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter the new time of the meeting")
        check_accessibility(council)
        day = timezone.localdate() + dt.timedelta(days=4)
        _fill_date(council, "scheduled_date", day)
        council.get_by_label("New time").fill("14:30")
        council.get_by_label("Why it has moved (optional)").fill("Police officer in court")
        council.get_by_role("button", name="Move the meeting").click()
        expect(council.get_by_test_id("changes")).to_contain_text("moved from")
        check_accessibility(council)
        police.reload()
        expect(police.get_by_role("link", name=f"{what}: moved")).to_be_visible(timeout=5000)
        check_accessibility(police)

        # Invite the school (checkboxes; none chosen is an error first).
        council.get_by_role("link", name="Invite more agencies").click()
        check_accessibility(council)
        council.get_by_role("button", name="Send invitations").click()
        expect(council.locator(".govuk-error-summary")).to_contain_text(
            "Select at least one agency to invite"
        )
        check_accessibility(council)
        council.get_by_label(school.name, exact=False).check()
        council.get_by_role("button", name="Send invitations").click()
        expect(council.get_by_test_id(f"invitation-{school.code}")).to_be_visible()
        police.reload()
        expect(police.get_by_role("link", name=f"{what}: agencies added")).to_be_visible(timeout=5000)
        sign_in(school_page, "school.dsl")
        school_page.get_by_role("link", name="Inbox").first.click()
        expect(school_page.get_by_role("link", name=f"{what}: agencies added")).to_be_visible(timeout=5000)
        check_accessibility(school_page)

        # Cancel it: the page asks why and says the clock stays open.
        council.get_by_role("link", name="Cancel the meeting").click()
        check_accessibility(council)
        council.get_by_role("button", name="Cancel the meeting").click()
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter why the meeting is cancelled")
        check_accessibility(council)
        council.get_by_label("Why is the meeting cancelled?").fill("Family moved out of the area")
        council.get_by_role("button", name="Cancel the meeting").click()
        expect(council.get_by_test_id("status")).to_contain_text("Cancelled")
        expect(council.get_by_test_id("status")).to_contain_text("Family moved out of the area")
        check_accessibility(council)
        for page in (police, school_page):
            page.reload()
            expect(page.get_by_role("link", name=f"{what}: cancelled")).to_be_visible(timeout=5000)
        police.get_by_role("link", name=f"{what}: cancelled").click()
        expect(police.get_by_text("Family moved out of the area", exact=False).first).to_be_visible()
        check_accessibility(police)
    finally:
        for context in (council_context, police_context, school_context):
            context.close()
