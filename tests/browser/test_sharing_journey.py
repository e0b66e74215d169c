"""A police officer records an incident with two children and an adult (what the adult is to each child), late
(so saying why); the MASH inbox, already open, shows it live with each child's relationship; the school sees only
its Encompass notice; the acknowledgement reaches the officer; the police's managers read the reason for the
delay. Accessible at every step."""

import time

from playwright.sync_api import expect

from tests.browser.incident_pages import add_child, answer_add_another, answer_the_incident


def test_incident_reaches_the_open_inbox_live_and_the_loop_closes(
    browser, live_server, live_cast, delivery_worker, sign_in, check_accessibility
):
    contexts = [browser.new_context() for _ in range(4)]
    mash, police, school, manager = (context.new_page() for context in contexts)
    try:
        sign_in(mash, "mash.practitioner")
        mash.get_by_role("link", name="Inbox").first.click()
        expect(mash.get_by_role("heading", name="Inbox")).to_be_visible()
        check_accessibility(mash)
        mash.wait_for_timeout(500)  # the live stream connects

        sign_in(police, "police.officer")
        police.get_by_role("link", name="Record an incident").first.click()
        check_accessibility(police)
        police.get_by_role("button", name="Continue").click()
        expect(police.locator(".govuk-error-summary")).to_contain_text("Enter the police reference")
        check_accessibility(police)

        answer_the_incident(police, "CLE-26-5001")
        add_child(
            police,
            1,
            "Zara",
            "Quinn",
            ("2", "4", "2015"),
            school_urn="900001",
            child_words="I hid in my room",
        )
        answer_add_another(police, yes=True)
        add_child(police, 2, "Max", "Quinn", ("9", "1", "2023"))
        answer_add_another(police, yes=False)
        answer_add_another(police, yes=True)  # an adult
        expect(police.get_by_role("heading", name="Adult 1")).to_be_visible()
        police.get_by_label("First name").fill("Dean")
        police.get_by_label("Last name").fill("Quinn")
        police.get_by_label("Person causing harm").check()
        # One question a child: Dean is Max's father and Zara's mother's partner.
        police.get_by_role("group", name="What is this adult to Zara Quinn?").get_by_label(
            "Parent's partner"
        ).check()
        police.get_by_role("group", name="What is this adult to Max Quinn?").get_by_label(
            "Parent", exact=True
        ).check()
        check_accessibility(police)
        police.get_by_role("button", name="Continue").click()
        answer_add_another(police, yes=False)  # no more adults
        expect(
            police.get_by_role("heading", name="Check your answers before recording the incident")
        ).to_be_visible()
        expect(police.get_by_test_id("check-adults")).to_contain_text("Parent's partner of Zara Quinn")
        expect(police.get_by_test_id("check-adults")).to_contain_text("Parent of Max Quinn")
        # The incident was on 20 November: the council and the school are told late, so the officer says why.
        expect(police.get_by_label("Why is this being shared late?")).to_be_visible()
        check_accessibility(police)
        police.get_by_role("button", name="Record and share").click()
        expect(police.locator(".govuk-error-summary")).to_contain_text("Give the reason for the delay")
        check_accessibility(police)
        police.locator(".govuk-error-summary").get_by_role("link").first.click()
        expect(police.get_by_label("Why is this being shared late?")).to_be_focused()
        police.get_by_label("Why is this being shared late?").fill("Recorded from the night shift's notes")
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
        expect(mash.get_by_test_id("adults")).to_contain_text("parent's partner of Zara Quinn")
        expect(mash.get_by_test_id("adults")).to_contain_text("parent of Max Quinn")
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

        # The police's managers read the lateness as theirs, with the officer's reason.
        sign_in(manager, "police.designated")
        manager.goto(f"{live_server.url}/deadlines/notifications-sent/")
        expect(manager.get_by_test_id("sent-late")).to_contain_text("Recorded from the night shift's notes")
        check_accessibility(manager)
    finally:
        for context in contexts:
            context.close()
