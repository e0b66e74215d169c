"""Matching at intake (issue 14, docs/decisions/0014): every way in (the API, the web incident form, both
imports) matches a person named without an id or a verified identifier to the records they could be. A sure
match links (unseen where the recorder may not see the record), twins stay apart, the grey band makes a new
record and one question at an agency that may see both, and a person recorded now is a candidate at once,
also for a later row of the same file."""

import csv
import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event, EventSubject
from openmash.matching.models import MatchKey, MatchProfile
from openmash.merging import services as merging
from openmash.merging.models import KeptApart, MatchReview, ReviewSource, ReviewStatus
from openmash.merging.selectors import review_queue
from openmash.people.matching import index_people
from openmash.people.models import Person
from tests.incident_journey import walk
from tests.missing.test_import import _file, _row
from tests.sharing.test_import import HEADER as INCIDENT_HEADER
from tests.sharing.test_pages import INCIDENT_FORM

JON = {"given_name": "Jon", "family_name": "Smith", "date_of_birth": "2015-03-04"}


@pytest.fixture
def api(cast):
    """Each agency's API client: Cleveland Police, Stockton's council, its school, the health trust."""

    def headers(key: str) -> dict[str, str]:
        organisation = cast.organisations[key]
        token = api_client_create(actor=system_actor(organisation), organisation=organisation, name=key).token
        return {"Authorization": f"Bearer {token}"}

    return {key: headers(key) for key in ("police", "council", "school", "health")}


def _post(headers, path: str, body: dict) -> dict:
    response = Client().post(f"/api/v1{path}", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def _incident(reference: str, children: list[dict], postcode: str = "TS18 1AA") -> dict:
    return {
        "police_reference": reference,
        "occurred_at": "2026-11-20T21:30:00",
        "reported_at": "2026-11-20T21:40:00",
        "risk_level": "medium",
        "postcode": postcode,
        "children": children,
        # Recorded after the police's own clock ran out: the sender says why (issue 13).
        "late_reason": "Recorded from the night shift's notes",
    }


def _referral(children: list[dict]) -> dict:
    return {
        "council": "Stockton-on-Tees",
        "children": children,
        "concern_at": "2026-11-21T10:00:00",
        "summary": "Came to school hungry",
    }


def _person(answer: dict) -> Person:
    [subject] = EventSubject.objects.filter(event_id=answer["event_id"])
    return subject.person


def test_jon_smith_to_the_police_is_jonathan_smith_to_the_school(api):
    police = _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8001", [JON]))
    jon = _person(police)
    # Recorded now, a candidate at once: its match index rows were written with it.
    assert MatchProfile.objects.filter(person_id=jon.pk).exists()
    assert MatchKey.objects.filter(person_id=jon.pk, key="d:2015-03-04:fs").exists()
    school = _post(api["school"], "/referrals", _referral([JON | {"given_name": "Jonathan"}]))
    assert _person(school) == jon
    # The school may not see the police's record: it is told only that its record was linked.
    assert school["linked_to_records_you_may_not_see"] == [
        {"given_name": "Jonathan", "family_name": "Smith", "date_of_birth": "2015-03-04"}
    ]
    assert Person.objects.filter(family_name="Smith").count() == 1


def test_the_web_incident_form_links_the_same_way(api, cast):
    jon = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8002", [JON])))
    client = Client()
    client.force_login(cast.users["police.officer"])
    form = INCIDENT_FORM | {
        "police_reference": "CLE-26-8003",
        "child1-given_name": "Jonathan",
        "child1-family_name": "Smith",
        "child1-date_of_birth_0": "4",
        "child1-date_of_birth_1": "3",
        "child1-date_of_birth_2": "2015",
        "child1-school_urn": "",
    }
    response = walk(client, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EventSubject.objects.get(event__reference="CLE-26-8003").person == jon


def test_matching_at_intake_can_be_turned_off(api):
    jon = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8004", [JON])))
    with override_settings(MATCHING_AT_INTAKE=False):
        school = _post(api["school"], "/referrals", _referral([JON | {"given_name": "Jonathan"}]))
    assert _person(school) != jon


def test_twins_stay_apart_and_are_put_to_the_council_once(api, cast):
    """Same family name, date of birth and home; only the given name tells them apart."""
    ava = {"given_name": "Ava", "family_name": "Khan", "date_of_birth": "2017-06-09"}
    isla = ava | {"given_name": "Isla"}
    first = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8101", [ava])))
    second = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8102", [isla])))
    assert first != second
    # The twins rule refused a link the score alone would have made: a person decides, at the council.
    [review] = MatchReview.objects.filter(candidate=first, arriving=second)
    assert review.organisation == cast.organisations["council"] and review.source == ReviewSource.INTAKE
    # Named together at one incident, they are two children, not an error.
    both = _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8103", [ava, isla]))
    assert {s.person_id for s in EventSubject.objects.filter(event_id=both["event_id"])} == {
        first.pk,
        second.pk,
    }
    assert MatchReview.objects.count() == 1


def test_a_grey_band_pair_is_asked_once_and_not_again_once_kept_apart(api, cast):
    jon = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8201", [JON])))
    # A nickname, a year out and another home in the same council: perhaps Jon, perhaps not.
    maybe = JON | {"given_name": "Jonathon", "date_of_birth": "2016-03-04"}
    arriving = _person(
        _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8202", [maybe], "TS17 6AA"))
    )
    assert arriving != jon
    [review] = MatchReview.objects.all()
    assert (review.candidate, review.arriving) == (jon, arriving)
    assert review.organisation == cast.organisations["council"]
    assert 0.5 <= review.probability < 0.95
    # The same again: it is the record just made, and nothing more is asked.
    again = _person(
        _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8203", [maybe], "TS17 6AA"))
    )
    assert again == arriving and MatchReview.objects.count() == 1
    merging.review_decide(
        actor=actor_for_user(cast.users["mash.practitioner"]),
        review_id=review.pk,
        same_child=False,
        reason="Different mothers; checked with health",
    )
    assert KeptApart.objects.count() == 1
    _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8204", [maybe], "TS17 6AA"))
    _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8205", [JON]))
    assert MatchReview.objects.count() == 1
    assert MatchReview.objects.get().status == ReviewStatus.KEPT_APART
    assert Person.objects.filter(family_name="Smith").count() == 2


def test_a_restricted_record_is_never_linked_by_likeness(api, cast):
    """Ellis's adoption record: only everything agreeing with an identifier links it (decision 0012)."""
    ellis = cast.people["Ellis Reyes"]
    child = {"given_name": "Ellis", "family_name": "Reyes", "date_of_birth": ellis.date_of_birth.isoformat()}
    answer = _post(api["health"], "/referrals", _referral([child]))
    assert _person(answer) != ellis
    assert answer["linked_to_records_you_may_not_see"] == []


def _incident_rows(rows: list[tuple[str, str, str]]) -> list[list[str]]:
    return [
        [
            reference,
            "2025-10-01T22:00:00",
            "2025-10-01T22:10",
            "2025-10-29T09:00:00",
            "medium",
            "TS18 1AA",
            "",
            given,
            "Smith",
            born,
            "",
            "",
            "",
            "yes",
            "Argument",
        ]
        for reference, given, born in rows
    ]


@pytest.mark.parametrize("imported_as", ["history", "live"])
def test_two_rows_of_one_file_about_one_new_child_make_one_record(cast, tmp_path, imported_as):
    path = tmp_path / "incidents.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INCIDENT_HEADER)
        writer.writerows(
            _incident_rows(
                [
                    ("CLE-25-0101", "Jon", "2015-03-04"),
                    ("CLE-25-0102", "Jonathan", "2015-03-04"),  # the same child, another incident
                    ("CLE-25-0102", "Jonah", "2019-08-01"),  # a brother at that incident
                    ("CLE-25-0103", "Jonathan", "2015-04-03"),  # day and month swapped
                ]
            )
        )
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police", "--as", imported_as)
    people = {
        event.reference: sorted(s.person.given_name for s in event.subjects.all())
        for event in Event.objects.filter(reference__startswith="CLE-25-01")
    }
    assert people == {"CLE-25-0101": ["Jon"], "CLE-25-0102": ["Jon", "Jonah"], "CLE-25-0103": ["Jon"]}
    assert Person.objects.filter(family_name="Smith").count() == 2


def test_the_missing_import_matches_too(api, cast, tmp_path):
    jon = _person(_post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8301", [JON])))
    path = _file(
        tmp_path,
        [
            _row(
                "MP-81",
                child_given_name="Jonathan",
                child_family_name="Smith",
                child_date_of_birth="2015-03-04",
            ),
            _row(
                "MP-82",
                child_given_name="Johnny",
                child_family_name="Smith",
                child_date_of_birth="2015-03-04",
            ),
        ],
    )
    call_command("import", "missing", str(path), "--org", "Cleveland Police")
    children = {s.person_id for s in EventSubject.objects.filter(event__reference__in=["MP-81", "MP-82"])}
    assert children == {jon.pk}


def test_a_household_address_given_to_a_known_person_is_matched_on(api, cast):
    """A child on record with no address is given the incident's: their match index rows follow it."""
    missing = {"child": JON, "last_seen_at": "2026-11-19T18:00:00"}
    jon = _person(_post(api["police"], "/missing-reports", missing))
    assert MatchProfile.objects.get(person_id=jon.pk).features["postcodes"] == []
    _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8401", [JON]))
    assert Person.objects.filter(family_name="Smith").count() == 1
    assert json.dumps(MatchProfile.objects.get(person_id=jon.pk).features["postcodes"]) == '["TS181AA"]'


def test_twins_in_two_rows_of_one_file_are_two_records_and_one_question(cast, tmp_path):
    """The second twin is compared with the first, recorded new earlier in the same batch: the twins rule
    refuses the link, and the council that receives both incidents is asked, once the file is released."""
    path = tmp_path / "incidents.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INCIDENT_HEADER)
        writer.writerows(
            _incident_rows([("CLE-25-0201", "Ava", "2016-01-01"), ("CLE-25-0202", "Isla", "2016-01-01")])
        )
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police")
    ava = Person.objects.get(given_name="Ava", family_name="Smith")
    isla = Person.objects.get(given_name="Isla", family_name="Smith")
    [review] = MatchReview.objects.all()
    assert (review.candidate, review.arriving) == (ava, isla)
    assert review.organisation == cast.organisations["council"]
    assert list(review_queue(actor_for_user(cast.users["mash.practitioner"]))) == [review]


def _index_as_rebuilt(people: list[Person]) -> tuple[dict, dict]:
    """The match index rows of ``people`` as written, and as ``openmash matching index`` rebuilds them."""

    def rows() -> tuple[dict, dict]:
        ids = [person.pk for person in people]
        features = dict(MatchProfile.objects.filter(person_id__in=ids).values_list("person_id", "features"))
        keys: dict = {}
        for person_id, key in MatchKey.objects.filter(person_id__in=ids).values_list("person_id", "key"):
            keys.setdefault(person_id, set()).add(key)
        return features, keys

    written = rows()
    index_people([person.pk for person in people])
    return written, rows()


def test_the_index_rows_written_at_intake_are_those_a_rebuild_makes(api, cast, tmp_path):
    """The person planner keeps the matcher's own record of a new person (not worked out twice): it must be
    exactly what the record, rebuilt, gives: with the household's postcode for an API incident (its address is
    written), without it for an imported one (not written while held)."""
    _post(api["police"], "/incidents/domestic-abuse", _incident("CLE-26-8501", [JON], postcode="ts18 1aa"))
    path = tmp_path / "incidents.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INCIDENT_HEADER)
        writer.writerows(_incident_rows([("CLE-25-0301", "Ava", "2016-01-01")]))
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police")
    recorded = list(Person.objects.filter(family_name="Smith"))
    assert len(recorded) == 2
    written, rebuilt = _index_as_rebuilt(recorded)
    assert written == rebuilt
    assert {tuple(features["postcodes"]) for features in written[0].values()} == {("TS181AA",), ()}
