"""A police officer records an incident with two children; the MASH inbox, already open, shows it live; the
school sees only its Encompass notice; the acknowledgement reaches the officer. Accessible at every step."""

import time

from playwright.sync_api import expect


def test_incident_reaches_the_open_inbox_live_and_the_loop_closes(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    mash_context, police_context, school_context = (browser.new_context() for _ in range(3))
    mash, police, school = mash_context.new_page(), police_context.new_page(), school_context.new_page()
    try:
        sign_in(mash, "mash.practitioner")
        mash.get_by_role("link", name="Inbox").first.click()
        expect(mash.get_by_role("heading", name="Inbox")).to_be_visible()
        check_accessibility(mash)
        mash.wait_for_timeout(500)  # the live stream connects

        sign_in(police, "police.officer")
        police.get_by_role("link", name="Record an incident").first.click()
        check_accessibility(police)
        police.get_by_role("button", name="Record and share").click()
        expect(police.locator(".govuk-error-summary")).to_contain_text("Enter the police reference")
        check_accessibility(police)

        police.get_by_label("Police reference").fill("CLE-26-5001")
        police.locator("#id_occurred_date_0").fill("20")
        police.locator("#id_occurred_date_1").fill("11")
        police.locator("#id_occurred_date_2").fill("2026")
        police.get_by_label("Time it happened").fill("21:30")
        police.get_by_label("Postcode").fill("TS18 1AA")
        police.get_by_label("Medium").check()
        police.get_by_label("What happened").fill("Shouting heard by neighbours")
        police.locator("#id_child1-given_name").fill("Zara")
        police.locator("#id_child1-family_name").fill("Quinn")
        police.locator("#id_child1-date_of_birth_0").fill("2")
        police.locator("#id_child1-date_of_birth_1").fill("4")
        police.locator("#id_child1-date_of_birth_2").fill("2015")
        police.locator("#id_child1-school_urn").fill("900001")
        police.locator("#id_child1-child_words").fill("I hid in my room")
        police.locator("#id_child2-given_name").fill("Max")
        police.locator("#id_child2-family_name").fill("Quinn")
        police.locator("#id_child2-date_of_birth_0").fill("9")
        police.locator("#id_child2-date_of_birth_1").fill("1")
        police.locator("#id_child2-date_of_birth_2").fill("2023")
        police.get_by_role("button", name="Record and share").click()
        submitted = time.monotonic()
        expect(
            police.get_by_text("Incident CLE-26-5001 recorded and shared with 2 organisations")
        ).to_be_visible()
        check_accessibility(police)

        # The inbox page was not reloaded: the live stream brought the incident in.
        expect(mash.get_by_role("link", name="Domestic abuse incident CLE-26-5001")).to_be_visible(
            timeout=2000
        )
        assert time.monotonic() - submitted < 2.5
        expect(mash.get_by_test_id("inbox-table")).to_contain_text("Zara Quinn")
        check_accessibility(mash)

        sign_in(school, "school.dsl")
        school.get_by_role("link", name="Inbox").first.click()
        expect(school.get_by_role("heading", name="Operation Encompass notices")).to_be_visible()
        school.get_by_role("link", name="Operation Encompass notice CLE-26-5001").click()
        expect(school.get_by_text("I hid in my room")).to_be_visible()
        expect(school.get_by_test_id("child")).to_have_count(1)  # Zara only: Max is not of school age
        expect(school.get_by_text("Risk level")).to_have_count(0)
        check_accessibility(school)

        mash.get_by_role("link", name="Domestic abuse incident CLE-26-5001").click()
        check_accessibility(mash)
        mash.get_by_label("Child and family assessment").check()
        mash.get_by_label("Reasons for the decision").fill("Two young children, second call-out")
        mash.get_by_role("button", name="Record the decision").click()
        expect(mash.get_by_test_id("acknowledged")).to_contain_text("Child and family assessment")
        check_accessibility(mash)

        police.reload()
        expect(police.get_by_test_id("submission-CLE-26-5001")).to_contain_text(
            "Child and family assessment: Two young children"
        )
        check_accessibility(police)
    finally:
        for context in (mash_context, police_context, school_context):
            context.close()
