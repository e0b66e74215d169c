"""A carer (foster carer, children's home staff; and their organisation's own systems) sees what caring for a
placed child needs: who the child is, their own reports and episodes, the Philomena profile they keep. Not the
child's multi-agency record: tried as an attacker would, by id, search (name and identifier), the API, the
chronology and the exports (policy.record_scope's CARER)."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from openmash.access import policy
from openmash.accounts.actors import actor_for_user, operator_actor, system_actor
from openmash.accounts.services import api_client_create
from openmash.people.models import IdentifierScheme

NEVER = ("TS17 6AA", "Oak House, 4 Mill Lane", "Looked after", "White and Black Caribbean", "SBC-MP-77")


@pytest.fixture
def leo(cast):
    return cast.people["Leo Marsh"]


@pytest.fixture
def nhs_number(leo):
    return leo.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value


@pytest.fixture
def episodes(report_missing):
    """The council's own missing report about Leo (shared with the police, not the home), and the home's."""
    police = report_missing(username="social.worker", hours_ago=30, reference="SBC-MP-77")
    home = report_missing(username="home.carer", hours_ago=3, reference="OAK-7")
    return police, home


@pytest.fixture
def carer(signed_in):
    return signed_in("home.carer")


def test_the_carers_scope_is_decided_by_the_policy(cast):
    assert policy.record_scope(actor_for_user(cast.users["home.carer"])) == policy.RecordScope.CARER
    # The home's own systems too: its API client and an operator's export for it.
    home = cast.organisations["childrens-home"]
    assert policy.record_scope(operator_actor(home)) == policy.RecordScope.CARER
    assert policy.record_scope(actor_for_user(cast.users["social.worker"])) == policy.RecordScope.FULL
    assert policy.record_scope(actor_for_user(cast.users["inspector"])) == policy.RecordScope.FULL


def test_by_id_the_record_shows_who_the_child_is_and_nothing_more(cast, carer, leo, nhs_number, episodes):
    page = carer.get(reverse("people:record", args=[leo.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Leo Marsh" in text and "3 November 2011" in text
    assert 'data-testid="carer-view"' in text
    for hidden in (nhs_number, *NEVER):
        assert hidden not in text, hidden
    # Who else read the record is the multi-agency record's: only the home's own reads are listed.
    assert page.context["access_log"] and all(
        line.entry.organisation_code == cast.organisations["childrens-home"].code
        for line in page.context["access_log"]
    )
    # The social worker, for comparison, sees all of it.
    full = Client()
    full.force_login(cast.users["social.worker"])
    assert nhs_number in full.get(reverse("people:record", args=[leo.pk])).content.decode()
    # A child not in the home's care is not there at all.
    assert carer.get(reverse("people:record", args=[cast.people["Amelia Hart"].pk])).status_code == 404


def test_search_finds_the_child_by_name_but_never_confirms_an_identifier(carer, leo, nhs_number):
    by_name = carer.get(reverse("people:search"), {"name": "Leo Marsh"})
    assert [person.pk for person in by_name.context["results"]] == [leo.pk]
    by_number = carer.get(reverse("people:search"), {"identifier": nhs_number})
    assert by_number.context["results"] == []
    assert nhs_number not in by_name.content.decode()


def test_the_chronology_and_its_exports_hold_only_the_homes_own_work(carer, leo, episodes):
    page = carer.get(reverse("chronology:chronology", args=[leo.pk]))
    assert page.status_code == 200
    references = {entry.reference for entry in page.context["chronology"].entries}
    assert "OAK-7" in references and "SBC-MP-77" not in references
    exported = carer.get(reverse("chronology:csv", args=[leo.pk])).content.decode()
    assert "OAK-7" in exported and "SBC-MP-77" not in exported
    pdf = carer.get(reverse("chronology:pdf", args=[leo.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_missing_pages_show_the_homes_own_episodes(carer, episodes):
    police, home = episodes
    listed = carer.get(reverse("missing:home"))
    assert [episode.pk for episode in listed.context["episodes"]] == [home.pk]
    assert carer.get(reverse("missing:episode", args=[home.pk])).status_code == 200
    assert carer.get(reverse("missing:episode", args=[police.pk])).status_code == 404
    assert carer.get(reverse("missing:list")).status_code == 404


def test_the_philomena_profile_is_still_theirs_to_keep(carer, leo):
    assert carer.get(reverse("philomena:profile", args=[leo.pk])).status_code == 200


def test_the_api_gives_the_homes_system_who_the_child_is_and_nothing_more(cast, leo, nhs_number, episodes):
    home = cast.organisations["childrens-home"]
    token = api_client_create(actor=system_actor(home), organisation=home, name="Oak House records").token
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = api.get(f"/api/v1/people/{leo.pk}").json()
    assert body["scope"] == "carer" and body["family_name"] == "Marsh"
    assert body["identifiers"] == body["addresses"] == body["statuses"] == body["schools"] == []
    assert body["ethnicity"] == "" and nhs_number not in str(body)
    assert [person["id"] for person in api.get("/api/v1/people", {"name": "Leo Marsh"}).json()] == [
        str(leo.pk)
    ]
    assert api.get("/api/v1/people", {"identifier": nhs_number}).json() == []
    assert api.get(f"/api/v1/people/{cast.people['Amelia Hart'].pk}").status_code == 404
    missing = api.get("/api/v1/missing-episodes").json()
    references = {
        episode["reference"] for episode in (missing["episodes"] if isinstance(missing, dict) else missing)
    }
    assert references == {"OAK-7"}


def test_the_people_export_for_the_home_leaves_identifiers_out(cast, leo, nhs_number, tmp_path):
    out = tmp_path / "people.csv"
    call_command(
        "people",
        "export",
        "--org",
        cast.organisations["childrens-home"].code,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    with out.open() as handle:
        rows = {row["person_id"]: row for row in csv.DictReader(handle)}
    assert rows[str(leo.pk)]["family_name"] == "Marsh"
    assert rows[str(leo.pk)]["nhs_number"] == "" and nhs_number not in out.read_text()
