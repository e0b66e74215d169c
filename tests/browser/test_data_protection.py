"""Data protection in the browser: a council's data protection officer answers a subject access request, and a
social worker corrects a child's date of birth, which reaches the NHS trust's inbox in plain words. axe on
every page."""

from django.urls import reverse
from playwright.sync_api import expect

from openmash.accounts.actors import system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import user_create
from tests.data_protection_story import story_record


def test_a_data_protection_officer_answers_a_subject_access_request(
    page, live_server, live_cast, sign_in, demo_password, check_accessibility
):
    story = story_record(live_cast)
    council = live_cast.organisations["council"]
    user_create(
        actor=system_actor(council),
        organisation=council,
        username="stockton.dpo",
        email="stockton.dpo@example.org",
        first_name="Dana",
        last_name="Protect",
        roles=[Role.DATA_PROTECTION_OFFICER],
        password=demo_password,
    )
    sign_in(page, "stockton.dpo")
    page.get_by_role("link", name="Subject access").click()
    check_accessibility(page)
    page.get_by_role("button", name="Find their record").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the request's reference")
    expect(summary).to_contain_text("Enter the date the request was received")
    assert page.title().startswith("Error: ")
    check_accessibility(page)

    page.get_by_label("Request reference").fill("SAR-2026-031")
    page.locator("#id_received_on_0").fill("30")
    page.locator("#id_received_on_1").fill("11")
    page.locator("#id_received_on_2").fill("2026")
    page.get_by_label("First name").fill("Noah")
    page.get_by_label("Last name").fill("Fenwick")
    page.locator("#id_date_of_birth_0").fill("1")
    page.locator("#id_date_of_birth_1").fill("3")
    page.locator("#id_date_of_birth_2").fill("2023")
    page.get_by_role("button", name="Find their record").click()
    expect(page.get_by_test_id("found")).to_contain_text("Noah Fenwick")
    check_accessibility(page)
    page.get_by_role("button", name="Export everything held about Noah Fenwick").click()
    expect(page.get_by_role("heading", name="Everything held is exported")).to_be_visible()
    expect(page.get_by_text("30 December 2026 (one month from receipt)")).to_be_visible()
    check_accessibility(page)

    page.get_by_test_id("read").click()
    expect(page.get_by_role("heading", name="Everything held about this person")).to_be_visible()
    expect(page.locator('mark[data-review="third-party"]', has_text="Tara Fenwick").first).to_be_visible()
    check_accessibility(page)
    assert story.child.full_name == "Noah Fenwick"


def test_a_social_worker_corrects_a_date_of_birth_and_the_trust_sees_it(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    story = story_record(live_cast)
    worker_context, trust_context = browser.new_context(), browser.new_context()
    worker, trust = worker_context.new_page(), trust_context.new_page()
    try:
        sign_in(worker, "social.worker")
        worker.goto(f"{live_server.url}{reverse('people:record', args=[story.child.pk])}")
        worker.get_by_role("link", name="Correct Noah Fenwick's details").click()
        check_accessibility(worker)
        worker.get_by_label("First name").fill("")
        worker.locator("#id_date_of_birth_0").fill("3")
        worker.get_by_role("button", name="Continue").click()
        summary = worker.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Enter the first name")
        expect(summary).to_contain_text("Say why the details are corrected")
        assert worker.title().startswith("Error: ")
        check_accessibility(worker)

        worker.get_by_label("First name").fill("Noah")
        worker.get_by_label("Why are you correcting these details?").fill(
            "Birth certificate seen at home visit"
        )
        worker.get_by_role("button", name="Continue").click()
        expect(worker.get_by_test_id("check-changes")).to_contain_text("Was 1 March 2023")
        expect(worker.get_by_test_id("check-changes")).to_contain_text("Now 3 March 2023")
        check_accessibility(worker)
        worker.get_by_role("button", name="Correct their details").click()
        expect(
            worker.get_by_text("2 agencies that have their details will see the correction")
        ).to_be_visible()
        check_accessibility(worker)

        sign_in(trust, "health.practitioner")
        trust.goto(f"{live_server.url}{reverse('sharing:inbox')}")
        expect(trust.get_by_test_id("details-corrected")).to_contain_text(
            "Details corrected: Date of birth was 1 March 2023, now 3 March 2023.", timeout=10_000
        )
        check_accessibility(trust)
    finally:
        worker_context.close()
        trust_context.close()
