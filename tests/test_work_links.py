"""A share about multi-agency work links its recipient to the page where the work is done."""

from django.urls import reverse

from openmash.sharing.models import Share
from tests.casework.conftest import actors, amelia, request_visit  # noqa: F401
from tests.meetings.conftest import actor, initial_conference, s47_started, strategy_discussion  # noqa: F401
from tests.sharing.conftest import incident_input, officer, record_incident  # noqa: F401


def police_share(event, cast) -> Share:
    return Share.objects.get(event=event, recipient=cast.organisations["police"])


def test_a_meeting_invitation_links_to_the_meeting(signed_in, cast, initial_conference):
    share = police_share(initial_conference.event, cast)
    page = signed_in("police.ppu").get(reverse("sharing:share", args=[share.pk]))
    assert page.context["work_link"] == (
        "Go to the conference",
        reverse("meetings:detail", args=[initial_conference.pk]),
    )
    assert 'data-testid="work-link"' in page.text


def test_a_joint_visit_request_links_to_the_visit(signed_in, cast, request_visit):
    visit = request_visit()
    share = police_share(visit.request_event, cast)
    page = signed_in("police.ppu").get(reverse("sharing:share", args=[share.pk]))
    assert page.context["work_link"] == ("Go to the joint visit", reverse("casework:visit", args=[visit.pk]))


def test_an_incident_has_no_work_page(signed_in, cast, record_incident):
    recorded = record_incident()
    share = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    page = signed_in("mash.practitioner").get(reverse("sharing:share", args=[share.pk]))
    assert page.context["work_link"] is None and 'data-testid="work-link"' not in page.text


def test_a_council_notes_work_it_receives_and_decides_only_on_notifications(signed_in, cast, request_visit):
    import datetime as dt

    import pytest
    from django.utils import timezone

    from openmash.accounts.actors import actor_for_user
    from openmash.casework.services import joint_visit_confirm_officer
    from openmash.lib.errors import InvalidInput
    from openmash.recording.decisions import share_acknowledge
    from openmash.sharing.models import Decision

    visit = joint_visit_confirm_officer(
        actor=actor_for_user(cast.users["police.ppu"]),
        visit=request_visit(),
        officer_name="DC Lee",
        officer_attends_at=timezone.now() + dt.timedelta(days=1),
    )
    share = Share.objects.get(
        recipient=cast.organisations["council"], event__details__joint_visit=str(visit.pk)
    )
    page = signed_in("social.worker").get(reverse("sharing:share", args=[share.pk]))
    # Nothing to choose: it is marked as read (with an optional note).
    assert "decision" not in page.context["form"].fields and "Mark as read" in page.text
    worker = actor_for_user(cast.users["social.worker"])
    with pytest.raises(InvalidInput):
        share_acknowledge(actor=worker, share=share, decision=Decision.ASSESSMENT, reasons="x")
    acknowledged = share_acknowledge(actor=worker, share=share, decision=Decision.NOTED)
    assert acknowledged.decision == Decision.NOTED and acknowledged.acknowledged_at is not None
