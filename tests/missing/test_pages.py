"""The missing children's pages, driven as each persona would (issue 15)."""

import datetime as dt

import pytest
from django.utils import timezone

from openmash.audit.models import AuditEntry
from openmash.lib.instants import LONDON
from openmash.missing.models import MissingEpisode


def _london(hours_ago: float) -> dt.datetime:
    return timezone.localtime(timezone.now() - dt.timedelta(hours=hours_ago), LONDON)


def _when(prefix: str, at: dt.datetime) -> dict[str, str]:
    return {
        f"{prefix}_date_0": str(at.day),
        f"{prefix}_date_1": str(at.month),
        f"{prefix}_date_2": str(at.year),
        f"{prefix}_time": f"{at:%H:%M}",
    }


def test_a_carer_reports_missing_through_the_form_and_lands_on_the_episode(cast, signed_in):
    leo = cast.people["Leo Marsh"]
    carer = signed_in("home.carer")
    # The record's "Report this child missing" link leads to the episode's form.
    page = carer.get(f"/people/{leo.pk}/events/missing/new/")
    assert page.status_code == 302 and page.url == f"/people/{leo.pk}/missing/new/"
    response = carer.post(
        f"/people/{leo.pk}/missing/new/",
        {"category": "M", "risk": "high", "last_seen_where": "Oak House", **_when("last_seen", _london(2))},
    )
    episode = MissingEpisode.objects.get()
    assert response.status_code == 302 and response.url == f"/missing/episodes/{episode.pk}/"
    page = carer.get(response.url)
    assert page.status_code == 200
    assert b"Cleveland Police" in page.content and b"Stockton-on-Tees" in page.content
    assert b"Still missing" in page.content


def test_the_form_lists_every_problem_and_saves_nothing(cast, signed_in):
    leo = cast.people["Leo Marsh"]
    response = signed_in("home.carer").post(f"/people/{leo.pk}/missing/new/", {"risk": "high"})
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Error:" in text
        and "Enter the date last seen" in text
        and "Enter where the child was last seen" in text
    )
    assert not MissingEpisode.objects.exists()


@pytest.fixture
def episode(report_missing, report_found):
    return report_found(report_missing())


@pytest.mark.parametrize("username", ["police.officer", "social.worker", "return.interviewer", "home.carer"])
def test_the_agencies_involved_open_the_episode_and_the_read_is_audited(episode, signed_in, username):
    response = signed_in(username).get(f"/missing/episodes/{episode.pk}/")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        object_type="missing-episode", object_id=str(episode.pk), action="view"
    ).exists()


# Not the inspector: Leo is sampled for Ofsted's inspection, so the inspector reads his episodes (and nothing
# outside the sample): tests/missing/test_inspector.py.
@pytest.mark.parametrize("username", ["school.dsl", "bury.social.worker", "durham.officer", "council.admin"])
def test_a_school_another_council_and_an_unrelated_force_see_none_of_it(episode, signed_in, username):
    client = signed_in(username)
    assert client.get(f"/missing/episodes/{episode.pk}/").status_code == 404
    assert client.get(f"/missing/episodes/{episode.pk}/risk/").status_code == 404
    assert client.post(f"/missing/episodes/{episode.pk}/updates/", {"text": "x"}).status_code == 404
    assert client.get("/missing/returned/").status_code == 404
    list_page = client.get("/missing/list/")
    assert list_page.status_code == 404 or episode.child.family_name.encode() not in list_page.content
    home = client.get("/missing/")
    assert home.status_code == 404 or episode.child.family_name.encode() not in home.content


def test_the_council_list_shows_the_child_and_downloads(episode, signed_in):
    client = signed_in("social.worker")
    page = client.get("/missing/list/")
    assert page.status_code == 200 and b"Leo Marsh" in page.content
    csv = client.get("/missing/list/?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "Leo,Marsh" not in csv.content.decode()
    assert "Leo Marsh" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/missing/list/?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    # A carer sees their own children's episodes, never the council's list.
    assert signed_in("home.carer").get("/missing/list/").status_code == 404


def test_the_return_interview_service_offers_and_records_through_its_pages(episode, signed_in, cast):
    client = signed_in("return.interviewer")
    returned = client.get("/missing/returned/")
    assert b"Leo Marsh" in returned.content and b"Not offered yet" in returned.content
    response = client.post(
        f"/missing/episodes/{episode.pk}/return-interview/offer/",
        {"offered_to": "Leo and his key worker", "response": "accepted", **_when("offered", _london(1.5))},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        f"/missing/episodes/{episode.pk}/return-interview/outcome/",
        {
            "held_where": "Library",
            "interviewer": cast.users["return.interviewer"].pk,
            "why_went": "Went to a party",
            "exploitation": ["sexual"],
            "places": "The Red Lion car park",
            **_when("held", _london(1)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "Sexual exploitation" in page and "met with" in page
