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
