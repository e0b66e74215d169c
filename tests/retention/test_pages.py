"""The page of an organisation's own retention figures: its administrators only (everyone else: 404, or the
sign-in page), with GOV.UK errors for bad figures and the change audited."""

import pytest

from openmash.audit.models import AuditEntry
from openmash.retention.models import RetentionSetting
from openmash.retention.rules import CHILD_PROTECTION, DOMESTIC_ABUSE_NFA, LOOKED_AFTER


def test_it_lists_every_rule_with_its_figures_and_source_for_an_administrator(signed_in):
    page = signed_in("council.admin").get("/retention/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Case record of a looked-after child" in text and "the 75th birthday" in text
    assert "SI 2010/959" in text and "https://www.legislation.gov.uk/uksi/2010/959/regulation/50" in text
    assert "the 25th birthday, and 6 years after the end of the plan" in text
    assert "How long your records are kept" in signed_in("council.admin").get("/").content.decode()


@pytest.mark.parametrize(
    "username", ["social.worker", "mash.practitioner", "police.officer", "inspector", "school.dsl"]
)
def test_it_requires_an_administrator(signed_in, username):
    client = signed_in(username)
    assert client.get("/retention/").status_code == 404
    assert client.get(f"/retention/{CHILD_PROTECTION}/").status_code == 404
    response = client.post(f"/retention/{CHILD_PROTECTION}/", {"years_after": "35", "reason": "x"})
    assert response.status_code == 404
    assert not RetentionSetting.objects.exists()


def test_it_sends_someone_not_signed_in_to_sign_in(client, cast):
    response = client.get("/retention/")
    assert response.status_code == 302 and "/sign-in" in response["Location"]


def test_an_administrator_sets_the_organisations_own_figure_audited(signed_in, cast):
    client = signed_in("council.admin")
    response = client.post(
        f"/retention/{CHILD_PROTECTION}/",
        {"birthday": "", "years_after": "35", "reason": "Schedule of March 2026"},
    )
    assert response.status_code == 302 and response["Location"] == "/retention/"
    setting = RetentionSetting.objects.get(organisation=cast.organisations["council"], rule=CHILD_PROTECTION)
    assert (setting.birthday, setting.years_after) == (None, 35)
    assert "35 years after the end of the plan" in client.get("/retention/").content.decode()
    entry = AuditEntry.objects.get(object_type="retention-setting")
    assert entry.organisation_code == cast.organisations["council"].code and entry.actor_id is not None


def test_bad_figures_are_listed_in_the_error_summary_and_nothing_is_saved(signed_in):
    client = signed_in("council.admin")
    response = client.post(f"/retention/{LOOKED_AFTER}/", {"birthday": "30", "reason": ""})
    text = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in text
    assert "Enter why your organisation keeps these records for this long" in text
    response = client.post(f"/retention/{LOOKED_AFTER}/", {"birthday": "30", "reason": "Shorter"})
    assert "must be kept at least until the 75th birthday by law" in response.content.decode()
    response = client.post(f"/retention/{DOMESTIC_ABUSE_NFA}/", {"years_after": "two", "reason": "x"})
    assert "The number of years must be a whole number, like 25" in response.content.decode()
    assert "Keep until which birthday?" not in response.content.decode(), "the rule has no birthday"
    assert not RetentionSetting.objects.exists()


def test_an_unknown_rule_is_not_found(signed_in):
    assert signed_in("council.admin").get("/retention/no-such-rule/").status_code == 404
