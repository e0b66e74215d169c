"""A social worker asks Cleveland Police for a joint visit to Amelia; the request reaches the police inbox; no
officer is named, the social worker goes alone and records it; the lone visit shows on the team manager's home
page, who reviews it. The police protection, closure and measures pages are checked with axe on the way."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.casework import services
from openmash.events.models import EventKind, SubjectRole
from openmash.people.models import ChildStatusKind
from openmash.people.services import child_status_record
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


def _fill_date(page, prefix: str, when: dt.datetime) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(when.day))
    page.locator(f"#id_{prefix}_1").fill(str(when.month))
    page.locator(f"#id_{prefix}_2").fill(str(when.year))


def test_a_lone_visit_triggers_an_escalation_visible_to_the_team_manager(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    amelia = live_cast.people["Amelia Hart"]
    contexts = [browser.new_context() for _ in range(3)]
    worker, police, manager = (context.new_page() for context in contexts)
    try:
        sign_in(worker, "social.worker")
        worker.goto(f"{live_server.url}/people/{amelia.pk}/")
        worker.get_by_role("link", name="Ask the police for a joint visit").click()
        check_accessibility(worker)
        worker.get_by_role("button", name="Ask the police").click()
        expect(worker.locator(".govuk-error-summary")).to_contain_text(
            "Choose why a police officer is needed"
        )
        check_accessibility(worker)
        soon = timezone.localtime(timezone.now() + dt.timedelta(hours=3), LONDON)
        _fill_date(worker, "planned_date", soon)
        worker.get_by_label("Time of the visit").fill(soon.strftime("%H:%M"))
        worker.get_by_label("Risk to the social worker or the child").check()
        worker.get_by_label("The child may need to be removed").check()
        worker.get_by_label("What the visit is for").fill("Threats made to staff at the last visit")
        worker.get_by_role("button", name="Ask the police").click()
        expect(worker.get_by_text("Joint visit requested from Cleveland Police")).to_be_visible()
        expect(worker.get_by_test_id("visit-status")).to_contain_text(
            "Waiting for the police to name an officer"
        )
        check_accessibility(worker)
        visit_url = worker.url

        # The force gets it in its inbox like any other share, and cannot confirm without a time.
        sign_in(police, "police.ppu")
        police.get_by_role("link", name="Inbox").first.click()
        expect(police.get_by_test_id("inbox-table")).to_contain_text("Joint visit", timeout=5000)
        police.goto(visit_url)
        check_accessibility(police)
        police.get_by_label("Name of the officer who will attend").fill("PC 2231 Dale")
        police.get_by_role("button", name="Confirm the officer").click()
        expect(police.locator(".govuk-error-summary")).to_contain_text(
            "Enter the date the officer will be there"
        )
        check_accessibility(police)

        # No officer is named; the social worker goes alone and says so.
        worker.reload()
        earlier = timezone.localtime(timezone.now() - dt.timedelta(minutes=5), LONDON)
        _fill_date(worker, "visited_date", earlier)
        worker.get_by_label("Time of the visit").fill(earlier.strftime("%H:%M"))
        worker.get_by_role("radio", name="No").check()
        worker.get_by_label("What happened on the visit").fill("No officer available; visited alone")
        worker.get_by_role("button", name="Record the visit").click()
        expect(worker.get_by_test_id("lone-visit")).to_contain_text("Raised to the council's team managers")
        check_accessibility(worker)

        sign_in(manager, "team.manager")
        expect(manager.get_by_test_id("lone-visits-alert")).to_contain_text(
            "1 lone visit waiting for your review"
        )
        check_accessibility(manager)
        manager.get_by_role("link", name="1 lone visit waiting for your review").click()
        expect(manager.get_by_role("heading", name="Lone visits")).to_be_visible()
        check_accessibility(manager)
        manager.get_by_role("link", name="Amelia Hart").click()
        manager.get_by_role("button", name="Record the review").click()
        expect(manager.locator(".govuk-error-summary")).to_contain_text("Say what you have done")
        check_accessibility(manager)
        manager.get_by_label("What you have done about this lone visit").fill("Raised with the PPU inspector")
        manager.get_by_role("button", name="Record the review").click()
        expect(manager.get_by_text("Lone visit reviewed")).to_be_visible()
        check_accessibility(manager)
        manager.goto(f"{live_server.url}/")
        expect(manager.get_by_test_id("lone-visits-alert")).to_have_count(0)

        # The other pages of joint work, each checked with axe.
        _police_protection_and_closure(live_cast)
        manager.goto(f"{live_server.url}/casework/measures/")
        expect(manager.get_by_test_id("lone-visits")).to_contain_text("1 (0 waiting for review)")
        expect(manager.get_by_test_id("not-discussed")).to_have_text("1")
        check_accessibility(manager)
        for page, path, link in (
            (police, "/police-protection/", "Amelia Hart"),
            (worker, "/investigation-closures/", "Amelia Hart"),
        ):
            page.goto(f"{live_server.url}{path}")
            check_accessibility(page)
            page.get_by_role("link", name=link).first.click()
            check_accessibility(page)
        expect(police.get_by_test_id("alternatives")).to_contain_text("No")
        police.get_by_role("button", name="Record and stop the clock").click()
        expect(police.locator(".govuk-error-summary")).to_be_visible()
        check_accessibility(police)
        worker.get_by_role("radio", name="Dispute the closure").check()
        worker.get_by_label("Reasons").fill("Bruising unexplained")
        worker.get_by_role("button", name="Send the council's answer").click()
        expect(worker.get_by_test_id("stages")).to_contain_text("Stage 1: practitioners")
        check_accessibility(worker)
    finally:
        for context in contexts:
            context.close()


def _police_protection_and_closure(cast) -> None:
    officer = actor_for_user(cast.users["police.designated"])
    event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.POLICE_PROTECTION,
            occurred_at=timezone.now() - dt.timedelta(hours=5),
            postcode="TS18 1AA",
            details={
                "designated_officer": "Insp Grace Oduya",
                "reasons": "Child alone at night",
                "alternatives_discussed": False,
                "alternatives_discussed_with": "",
            },
            people=[PersonInput(role=SubjectRole.CHILD, person_id=cast.people["Amelia Hart"].pk)],
        ),
    )
    child_status_record(
        actor=actor_for_user(cast.users["social.worker"]),
        person=cast.people["Amelia Hart"],
        council=cast.organisations["council"],
        status=ChildStatusKind.PROTECTION_PLAN,
        start_date=dt.date(2026, 1, 5),
    )
    services.investigation_closure_propose(
        actor=actor_for_user(cast.users["police.ppu"]),
        person=cast.people["Amelia Hart"],
        police_reference="CLE-26-8801",
        reasons="No further lines of enquiry",
        under_s47_enquiry=False,
        injuries_recorded=True,
    )
