"""An inspector reads the missing episodes of the children sampled for their inspection under way (reading a
sampled case is the inspection), each opening audited, and nothing else: not another child's episode, not the
council's list or patterns, no write (policy.may_read_missing_episodes, policy.visible_missing_episodes)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import Inspection
from openmash.audit.models import AuditAction, AuditEntry
from openmash.missing import services
from openmash.recording.services import PersonInput

from .conftest import ago


@pytest.fixture
def sampled(report_missing, report_found):
    """Leo Marsh (sampled for Ofsted's inspection) reported missing by his home and found."""
    return report_found(report_missing(hours_ago=30), hours_ago=20)


@pytest.fixture
def not_sampled(cast, actor_of):
    """Amelia Hart (not sampled) reported missing by the council."""
    return services.missing_report_record(
        actor=actor_of("social.worker"),
        data=services.MissingReportInput(
            last_seen_at=ago(hours=6), child=PersonInput(person_id=cast.people["Amelia Hart"].pk)
        ),
    ).episode


@pytest.fixture
def inspector(signed_in):
    return signed_in("inspector")


def _views(episode) -> int:
    return AuditEntry.objects.filter(
        object_type="missing-episode", object_id=str(episode.pk), action=AuditAction.VIEW
    ).count()


def test_the_inspector_opens_a_sampled_childs_episode_and_the_opening_is_audited(cast, inspector, sampled):
    page = inspector.get(reverse("missing:episode", args=[sampled.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Leo Marsh" in text and 'data-testid="steps"' in text
    entry = AuditEntry.objects.filter(object_type="missing-episode", object_id=str(sampled.pk)).last()
    assert entry.action == AuditAction.VIEW and entry.reason == "sampled for inspection"
    assert entry.organisation_code == cast.organisations["inspectorate"].code
    assert str(entry.person_id) == str(sampled.child_id)
    # Reading, not acting: no way to add, grade, find or offer.
    for link in ("missing:update", "missing:risk", "missing:found", "missing:offer", "missing:safe-and-well"):
        assert reverse(link, args=[sampled.pk]) not in text


def test_the_inspector_reaches_the_episodes_from_the_sampled_childs_record_and_the_missing_page(
    cast, inspector, sampled, not_sampled
):
    record = inspector.get(reverse("people:record", args=[sampled.child_id])).content.decode()
    assert reverse("missing:child", args=[sampled.child_id]) in record
    child_page = inspector.get(reverse("missing:child", args=[sampled.child_id]))
    assert child_page.status_code == 200
    assert [episode.pk for episode in child_page.context["episodes"]] == [sampled.pk]
    listed = inspector.get(reverse("missing:home"))
    assert listed.status_code == 200
    assert [episode.pk for episode in listed.context["episodes"]] == [sampled.pk]
    assert "Missing children" in [item["label"] for item in listed.context["navigation"]]
    listing = AuditEntry.objects.filter(object_type="missing-episodes").last()
    assert listing.detail["people"] == [str(sampled.child_id)]


def test_the_inspector_sees_nothing_outside_the_sample(cast, inspector, sampled, not_sampled):
    before = _views(not_sampled)
    assert inspector.get(reverse("missing:episode", args=[not_sampled.pk])).status_code == 404
    assert inspector.get(reverse("missing:child", args=[not_sampled.child_id])).status_code == 404
    assert _views(not_sampled) == before  # not allowed looks like not there, and leaves no read
    # The council's list and the patterns across children are not an inspector's (aggregates only).
    assert inspector.get(reverse("missing:list")).status_code == 404
    assert inspector.get(reverse("missing:patterns")).status_code == 404
    assert inspector.get(reverse("missing:returned")).status_code == 404
    # No write, even on a sampled child's episode.
    for name in ("missing:found", "missing:risk", "missing:update", "missing:safe-and-well", "missing:offer"):
        assert inspector.get(reverse(name, args=[sampled.pk])).status_code == 404
        assert (
            inspector.post(reverse(name, args=[sampled.pk]), {"text": "x", "risk": "high"}).status_code == 404
        )
    assert inspector.get(reverse("missing:report", args=[sampled.child_id])).status_code == 404
    sampled.refresh_from_db()
    assert not sampled.updates.exists() and sampled.gradings.count() == 1


def test_once_the_inspection_ends_the_sampled_episodes_close_to_the_inspector(cast, inspector, sampled):
    Inspection.objects.filter(inspectorate=cast.organisations["inspectorate"]).update(
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert inspector.get(reverse("missing:episode", args=[sampled.pk])).status_code == 404
    assert inspector.get(reverse("missing:child", args=[sampled.child_id])).status_code == 404
    assert list(inspector.get(reverse("missing:home")).context["episodes"]) == []


@pytest.mark.parametrize("username", ["bury.social.worker", "durham.officer", "school.dsl", "council.admin"])
def test_other_personas_gain_nothing_from_the_childs_episodes_page(signed_in, sampled, username):
    assert signed_in(username).get(reverse("missing:child", args=[sampled.child_id])).status_code == 404
    assert signed_in(username).get(reverse("missing:episode", args=[sampled.pk])).status_code == 404


def test_the_council_reaches_its_childs_episodes_from_the_record(signed_in, sampled):
    client = signed_in("social.worker")
    assert (
        reverse("missing:child", args=[sampled.child_id])
        in client.get(reverse("people:record", args=[sampled.child_id])).content.decode()
    )
    page = client.get(reverse("missing:child", args=[sampled.child_id]))
    assert [episode.pk for episode in page.context["episodes"]] == [sampled.pk]
