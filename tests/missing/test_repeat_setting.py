"""The area's repeat-missing figures (issue 15: 3 or more episodes in 90 days unless the area sets its own): a
page for those the policy lets set them, linked from the area's other figures, every problem in one error
summary, nothing half-saved, every change audited; and the flag follows the area's figures."""

import pytest
from django.urls import reverse

from openmash.audit.models import AuditEntry
from openmash.missing.models import RepeatMissingSetting
from openmash.missing.services import repeat_figures

PAGE = "missing:repeat-setting"


@pytest.mark.parametrize("username", ["council.admin", "partnership.lead"])
def test_the_councils_administrators_and_its_partnerships_leads_set_the_figures(cast, signed_in, username):
    client = signed_in(username)
    rules = client.get(reverse("clocks:rules")).content.decode()
    assert reverse(PAGE) in rules  # linked from the area's other figures
    page = client.get(reverse(PAGE))
    assert page.status_code == 200
    assert "3 episodes in 90 days" in page.content.decode()  # the national default, until the area sets one
    answer = client.post(reverse(PAGE), {"episodes": "4", "days": "60"})
    assert answer.status_code == 302 and answer.url == reverse("clocks:rules")
    council = cast.organisations["council"]
    assert repeat_figures(council) == (4, 60)
    entry = AuditEntry.objects.get(object_type="repeat-missing-setting")
    assert entry.object_id == council.code and entry.detail == {"episodes": 4, "days": 60, "was": [3, 90]}
    assert "4 episodes in 60 days" in client.get(reverse(PAGE)).content.decode()


@pytest.mark.parametrize(
    "username",
    [
        "social.worker",
        "team.manager",
        "mash.practitioner",
        "police.officer",
        "school.dsl",
        "home.carer",
        "return.interviewer",
        "inspector",
        "bury.social.worker",
    ],
)
def test_nobody_else_sees_or_sets_them(cast, signed_in, username):
    client = signed_in(username)
    assert client.get(reverse(PAGE)).status_code == 404
    assert client.post(reverse(PAGE), {"episodes": "2", "days": "7"}).status_code == 404
    assert reverse(PAGE) not in client.get(reverse("clocks:rules")).content.decode()
    assert not RepeatMissingSetting.objects.exists()
    assert not AuditEntry.objects.filter(object_type="repeat-missing-setting").exists()


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(reverse(PAGE)).status_code == 302


@pytest.mark.parametrize(
    ("posted", "messages"),
    [
        ({"episodes": "", "days": ""}, ["Enter the number of episodes", "Enter the number of days"]),
        (
            {"episodes": "1", "days": "400"},
            [
                "The number of episodes must be between 2 and 20",
                "The number of days must be between 7 and 365",
            ],
        ),
        ({"episodes": "three", "days": "90"}, ["The number of episodes must be a whole number, like 3"]),
    ],
)
def test_bad_numbers_are_listed_in_the_error_summary_and_nothing_is_saved(cast, signed_in, posted, messages):
    page = signed_in("council.admin").post(reverse(PAGE), posted)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<title>Error:" in text and "govuk-error-summary" in text
    for message in messages:
        assert message in text
    assert page.context["errors"] and len(page.context["errors"]) == len(messages)
    assert not RepeatMissingSetting.objects.exists()
    assert not AuditEntry.objects.filter(object_type="repeat-missing-setting").exists()


def test_the_flag_follows_the_areas_figures(cast, signed_in, report_missing, report_found):
    # Two episodes in 30 days: not repeat missing by the national figure (3 in 90) ...
    report_found(report_missing(hours_ago=24 * 20), hours_ago=24 * 19)
    second = report_missing(hours_ago=5)
    assert second.repeat_count is None
    report_found(second, hours_ago=4)
    # ... but the area counts 2 in 30 as repeat missing: the next report is flagged.
    signed_in("council.admin").post(reverse(PAGE), {"episodes": "2", "days": "30"})
    third = report_missing(hours_ago=2)
    assert third.repeat_count == 3
    assert third.missing_report.details["repeat_missing"] == {"episodes": 3, "days": 30}
