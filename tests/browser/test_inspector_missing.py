"""An inspector reads a sampled child's missing episodes from the child's record: the child's episodes, then one
episode with every agency's part, read only. axe on every page."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from openmash.accounts.actors import actor_for_user
from openmash.missing import services
from openmash.recording.services import PersonInput


def test_an_inspector_opens_a_sampled_childs_episode(
    page, live_server, live_cast, sign_in, check_accessibility
):
    carer = actor_for_user(live_cast.users["home.carer"])
    episode = services.missing_report_record(
        actor=carer,
        data=services.MissingReportInput(
            last_seen_at=timezone.now() - dt.timedelta(hours=8),
            child=PersonInput(person_id=live_cast.people["Leo Marsh"].pk),
            last_seen_where="Oak House, Thornaby",
        ),
    ).episode
    sign_in(page, "inspector")
    page.get_by_role("link", name="ILACS-DEMO").first.click()
    page.get_by_role("link", name="Leo Marsh").click()
    check_accessibility(page)
    page.get_by_test_id("missing-episodes-link").click()
    expect(page.get_by_role("heading", name="Missing episodes")).to_be_visible()
    check_accessibility(page)
    page.get_by_test_id("episodes").get_by_role("link", name="Leo Marsh").click()
    expect(page.get_by_test_id("steps")).to_contain_text("Reported missing")
    expect(page.get_by_test_id("episode-actions")).not_to_contain_text("Add an update")
    assert page.url.endswith(f"/missing/episodes/{episode.pk}/")
    check_accessibility(page)
    page.get_by_role("link", name="Missing children").first.click()
    expect(page.get_by_test_id("episodes")).to_contain_text("Leo Marsh")
    check_accessibility(page)
