"""A council schedules an initial conference; the police invitee sees it in its inbox and Meetings list and sends
its report; the council reads it and records attendance and the outcome. Accessible at every step."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.meetings import services
from openmash.meetings.models import Meeting, MeetingKind, Participation


def _strategy_discussion_that_started_s47(cast) -> Meeting:
    worker = actor_for_user(cast.users["social.worker"])
    child = cast.people["Amelia Hart"]
    meeting = services.strategy_discussion_convene(
        actor=worker,
        child=child,
        scheduled_for=timezone.now() - dt.timedelta(hours=3),
        invited=[cast.organisations["health"]],
    )
    held = timezone.now() - dt.timedelta(hours=2)
    return services.strategy_discussion_record_outcome(
        actor=worker,
        meeting=meeting,
        held_at=held,
        attendance=[
            services.AttendanceInput(organisation_id=i.organisation_id, participation=Participation.ATTENDED)
            for i in meeting.invitations.all()
        ],
        s47_decision=True,
        decision_reasons="Unexplained bruising",
        s47_started_on=timezone.localtime(held).date(),
    )


def test_a_council_schedules_an_initial_conference_and_police_send_their_report(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    strategy_discussion = _strategy_discussion_that_started_s47(live_cast)
    child = live_cast.people["Amelia Hart"]
    council_context, police_context = browser.new_context(), browser.new_context()
    council, police = council_context.new_page(), police_context.new_page()
    try:
        sign_in(council, "social.worker")
        council.goto(f"{live_server.url}{reverse('people:record', args=[child.pk])}")
        council.get_by_role("link", name="Multi-agency meetings").click()
        check_accessibility(council)
        council.get_by_role("link", name="Schedule an initial child protection conference").click()
        check_accessibility(council)
        council.get_by_role("button", name="Send invitations").click()
        expect(council.locator(".govuk-error-summary")).to_contain_text("Enter the date of the meeting")
        check_accessibility(council)

        day = timezone.localdate() + dt.timedelta(days=7)
        council.locator("#id_scheduled_date_0").fill(str(day.day))
        council.locator("#id_scheduled_date_1").fill(str(day.month))
        council.locator("#id_scheduled_date_2").fill(str(day.year))
        council.get_by_label("Time of the meeting").fill("10:00")
        council.get_by_label(f"Strategy discussion {strategy_discussion.reference}", exact=False).check()
        council.get_by_label("Where (or how: video call)").fill("Stockton Children's Hub, room 2")
        council.get_by_role("button", name="Send invitations").click()
        conference = Meeting.objects.get(kind=MeetingKind.INITIAL_CONFERENCE)
        expect(
            council.get_by_role("heading", name=f"Initial child protection conference {conference.reference}")
        )
        expect(council.get_by_test_id("invitation-" + live_cast.organisations["police"].code)).to_be_visible()
        check_accessibility(council)

        # The invitation is a share: it reaches the police inbox through the delivery worker.
        sign_in(police, "police.ppu")
        police.get_by_role("link", name="Inbox").first.click()
        expect(police.get_by_text(f"Child protection conference {conference.reference}")).to_be_visible(
            timeout=5000
        )
        check_accessibility(police)
        police.get_by_role("link", name="Meetings").first.click()
        expect(police.get_by_test_id("upcoming")).to_contain_text(conference.reference)
        check_accessibility(police)
        police.get_by_role("link", name=f"Initial child protection conference {conference.reference}").click()
        check_accessibility(police)
        police.get_by_label("Your agency's report").fill("Two call-outs to the address this year; no arrests")
        police.get_by_role("button", name="Send the report").click()
        expect(police.get_by_text("Report sent to the council")).to_be_visible()
        expect(police.get_by_test_id("report-" + live_cast.organisations["police"].code)).to_be_visible()
        check_accessibility(police)

        council.reload()
        expect(council.get_by_test_id("report-" + live_cast.organisations["police"].code)).to_contain_text(
            "Two call-outs to the address this year"
        )
        council.get_by_role("link", name="Record the outcome and who took part").click()
        check_accessibility(council)
        held = timezone.localtime() - dt.timedelta(minutes=5)
        council.locator("#id_held_date_0").fill(str(held.day))
        council.locator("#id_held_date_1").fill(str(held.month))
        council.locator("#id_held_date_2").fill(str(held.year))
        council.get_by_label("Time it was held").fill(held.strftime("%H:%M"))
        police_name = live_cast.organisations["police"].name
        health_name = live_cast.organisations["health"].name
        council.get_by_role("group", name=f"Did {police_name} take part?").get_by_label("Attended").check()
        school_name = live_cast.organisations["school"].name
        council.get_by_role("group", name=f"Did {school_name} take part?").get_by_label("Attended").check()
        council.get_by_role("group", name=f"Did {health_name} take part?").get_by_label(
            "Did not take part"
        ).check()
        council.get_by_label("Yes").check()
        council.get_by_label("Neglect").check()
        council.get_by_role("button", name="Record the outcome").click()
        # Non-attendance always needs a reason.
        expect(council.locator(".govuk-error-summary")).to_contain_text(
            f"Give the reason {health_name} did not attend"
        )
        check_accessibility(council)
        council.get_by_label(f"Reason {health_name} did not attend").fill("Health visitor on leave")
        council.get_by_role("button", name="Record the outcome").click()
        expect(council.get_by_test_id("status")).to_contain_text("Held")
        expect(council.get_by_test_id("outcome")).to_contain_text("Yes: Neglect")
        expect(
            council.get_by_test_id("invitation-" + live_cast.organisations["health"].code)
        ).to_contain_text("Did not take part: Health visitor on leave")
        check_accessibility(council)
    finally:
        council_context.close()
        police_context.close()
