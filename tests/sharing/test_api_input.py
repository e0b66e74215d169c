"""Input the API must refuse or answer properly: before anything is written, as problem+json naming the field,
the same on SQLite and PostgreSQL; never a 500 for a committed write, never HTML."""

import datetime as dt
import json

import pytest
from django.test import Client

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.api import sharing as api_sharing
from openmash.events.models import Event
from openmash.sharing.models import Share
from tests.sharing.test_api import INCIDENT, LATE, post, tokens  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(cast):
    organisation = cast.organisations["police"]
    client = api_client_create(actor=system_actor(organisation), organisation=organisation, name="records")
    return {"Authorization": f"Bearer {client.token}"}


def _written():
    return Event.objects.count(), Share.objects.count()


def _refused(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


def _child(**changes):
    return [{**INCIDENT["children"][0], **changes}]


# Item 3: an implausible instant is refused before anything is written; an answer that cannot be given rolls
# the event back, so a committed event is always answered 201.


@pytest.mark.parametrize("idempotency", [{}, {"Idempotency-Key": "year-one"}])
def test_it_refuses_year_one_before_writing(cast, police, idempotency):
    before = _written()
    year_one = {**INCIDENT, "occurred_at": "0001-01-01T00:00:00", "reported_at": "0001-01-01T00:10:00"}
    for _retry in range(2):
        response = post("/incidents/domestic-abuse", year_one, police, **idempotency)
        _refused(response, 422, "occurred_at")
    assert _written() == before


def test_it_refuses_an_incident_in_1900(cast, police):
    before = _written()
    response = post(
        "/incidents/domestic-abuse",
        {**INCIDENT, "occurred_at": "1900-06-01T10:00:00Z", "reported_at": "1900-06-01T10:05:00Z"},
        police,
    )
    _refused(response, 422, "occurred_at")
    assert _written() == before


@pytest.mark.parametrize("idempotency", [{}, {"Idempotency-Key": "cannot-answer"}])
def test_an_answer_that_cannot_be_given_saves_nothing(cast, police, monkeypatch, idempotency):
    def broken(recorded):
        raise ValueError("no answer")

    monkeypatch.setattr(api_sharing, "_recorded", broken)
    before = _written()
    response = post("/incidents/domestic-abuse", INCIDENT, police, **idempotency)
    _refused(response, 500)
    assert _written() == before
    monkeypatch.undo()
    assert post("/incidents/domestic-abuse", INCIDENT, police, **idempotency).status_code == 201


def test_deadlines_are_answered_in_utc(cast, police):
    summer = {**INCIDENT, "occurred_at": "2026-07-01T21:30:00", "reported_at": "2026-07-01T21:40:00"}
    response = post("/incidents/domestic-abuse", summer, police)
    assert response.status_code == 201, response.content
    council = next(share for share in response.json()["shares"] if share["recipient"] == "E06000004")
    assert council["notification"]["due"] == "2026-07-01T21:40:00Z"  # 22:40 BST


# Item 5: text longer than its column is refused on both databases, and OpenAPI says so.


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"police_reference": "R" * 61}, "police_reference"),
        ({"location": "L" * 301}, "location"),
        ({"children": _child(given_name="G" * 1000)}, "children.0.given_name"),
        ({"children": _child(family_name="F" * 101)}, "children.0.family_name"),
        ({"adults": [{"given_name": "A", "family_name": "F" * 101}]}, "adults.0.family_name"),
    ],
)
def test_text_longer_than_its_column_is_refused(cast, police, changes, field):
    before = _written()
    _refused(post("/incidents/domestic-abuse", {**INCIDENT, **changes}, police), 422, field)
    assert _written() == before


def test_text_as_long_as_its_column_is_kept_whole(cast, police):
    body = {**INCIDENT, "police_reference": "R" * 60, "location": "L" * 300}
    body["children"] = _child(given_name="G" * 100)
    response = post("/incidents/domestic-abuse", body, police)
    assert response.status_code == 201, response.content
    event = Event.objects.get(pk=response.json()["event_id"])
    assert (event.reference, event.location) == ("R" * 60, "L" * 300)
    assert event.subjects.get(person__given_name__startswith="G").person.given_name == "G" * 100


def test_openapi_gives_each_column_its_max_length(cast):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    incident = schemas["DomesticAbuseIn"]["properties"]
    assert incident["police_reference"]["maxLength"] == Event._meta.get_field("reference").max_length
    assert incident["location"]["maxLength"] == 300
    assert schemas["ChildIn"]["properties"]["given_name"]["maxLength"] == 100
    assert schemas["MissingIn"]["properties"]["reference"]["maxLength"] == 60


# Item 10: an Idempotency-Key names one request: its organisation, method and path.


def _missing(headers, given_name):
    child = {"given_name": given_name, "family_name": "Tarrant", "date_of_birth": "2014-05-05"}
    response = post(
        "/missing-reports",
        {"child": child, "last_seen_at": "2026-11-20T18:00:00", "postcode": "TS18 1AA", **LATE},
        headers,
    )
    assert response.status_code == 201, response.content
    return response.json()["event_id"]


def test_the_same_key_on_another_url_is_another_request(cast, police):
    first, second = _missing(police, "Ava"), _missing(police, "Ben")
    found = {"found_at": "2026-11-21T09:00:00", **LATE}
    a = post(f"/missing-reports/{first}/found", found, police, **{"Idempotency-Key": "found-1"})
    b = post(f"/missing-reports/{second}/found", found, police, **{"Idempotency-Key": "found-1"})
    assert a.status_code == b.status_code == 201, b.content
    assert a.json()["event_id"] != b.json()["event_id"]
    ben = Event.objects.get(pk=b.json()["event_id"])
    assert str(ben.related_event_id) == second
    assert ben.subjects.get().person.given_name == "Ben"


def test_the_same_key_from_another_client_of_the_organisation_replays(cast, police, tokens):
    key = {"Idempotency-Key": "one-incident"}
    first = post("/incidents/domestic-abuse", INCIDENT, police, **key)
    again = post("/incidents/domestic-abuse", INCIDENT, tokens["police"], **key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Event.objects.filter(reference=INCIDENT["police_reference"]).count() == 1


def test_the_same_key_from_another_organisation_is_its_own(cast, tokens):
    referral = {
        "council": "E06000004",
        "children": [{"given_name": "Cara", "family_name": "Dunn", "date_of_birth": "2016-01-01"}],
        "concern_at": "2026-11-20T10:00:00",
        "summary": "Worried",
    }
    school = post("/referrals", referral, tokens["school"], **{"Idempotency-Key": "r-1"})
    council = post("/referrals", referral, tokens["council"], **{"Idempotency-Key": "r-1"})
    assert school.status_code == council.status_code == 201, council.content
    assert school.json()["event_id"] != council.json()["event_id"]


# Item 11: what used to be an HTML 500 (or 400) is a problem+json 4xx.


def test_a_last_event_id_past_the_end_of_time_is_a_bad_request(cast, police):
    response = Client().get(
        "/api/v1/inbox/stream",
        headers={**police, "Last-Event-ID": "9999-12-31T23:59:59.999999+00:00"},
    )
    _refused(response, 400)


def test_a_lone_surrogate_is_refused_naming_the_field(cast, police):
    body = json.dumps({**INCIDENT, "summary": "PLACEHOLDER"}).replace("PLACEHOLDER", "\\ud800")
    response = Client().post(
        "/api/v1/incidents/domestic-abuse", body, content_type="application/json", headers=police
    )
    _refused(response, 422, "summary")


def test_a_nul_is_refused_naming_the_field(cast, police):
    before = _written()
    response = post("/incidents/domestic-abuse", {**INCIDENT, "summary": "a\x00b"}, police)
    _refused(response, 422, "summary")
    response = post(
        "/incidents/domestic-abuse", {**INCIDENT, "children": _child(given_name="a\x00b")}, police
    )
    _refused(response, 422, "children.0.given_name")
    assert _written() == before


def test_a_nul_in_a_search_is_refused_naming_the_field(cast, police):
    _refused(Client().get("/api/v1/people?name=a%00b", headers=police), 422, "name")


def test_an_idempotency_key_longer_than_it_is_kept_is_a_bad_request(cast, police):
    before = _written()
    response = post("/incidents/domestic-abuse", INCIDENT, police, **{"Idempotency-Key": "k" * 201})
    _refused(response, 400)
    assert _written() == before
    kept = post("/incidents/domestic-abuse", INCIDENT, police, **{"Idempotency-Key": "k" * 200})
    assert kept.status_code == 201, kept.content


@pytest.mark.parametrize("megabytes", [3, 10])
def test_a_body_too_large_is_413(cast, police, megabytes):
    body = {**INCIDENT, "summary": "x" * (megabytes * 1024 * 1024)}
    _refused(post("/incidents/domestic-abuse", body, police), 413)


def test_a_body_that_is_not_json_is_415(cast, police):
    before = _written()
    response = Client().post(
        "/api/v1/incidents/domestic-abuse", json.dumps(INCIDENT), content_type="text/plain", headers=police
    )
    _refused(response, 415)
    assert _written() == before


# Item 15: implausible input.


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"children": _child(date_of_birth="0001-01-01")}, "children.0.date_of_birth"),
        ({"children": _child(date_of_birth="2026-11-21")}, "children.0.date_of_birth"),  # after the incident
        ({"children": _child(nhs_number="0000000000")}, "children.0.nhs_number"),
        ({"occurred_at": 1795728600}, "occurred_at"),  # seconds since 1970
        ({"occurred_at": 1795728600.5}, "occurred_at"),
        ({"occurred_at": "1795728600"}, "occurred_at"),
        ({"children": _child(date_of_birth=1428000000)}, "children.0.date_of_birth"),
        ({"occurred_at": "2026-03-29T01:30:00", "reported_at": "2026-03-29T03:00:00"}, "occurred_at"),
        ({"occurred_at": "2026-11-20"}, "occurred_at"),  # a day is not an instant
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),  # before the first datetime in UTC
        ({"reported_at": "9999-12-31T23:59:59-01:00"}, "reported_at"),  # after the last
        ({"reported_at": "9999-12-31T23:59:59Z"}, "reported_at"),
    ],
)
def test_implausible_input_is_refused(cast, police, changes, field):
    before = _written()
    _refused(post("/incidents/domestic-abuse", {**INCIDENT, **changes}, police), 422, field)
    assert _written() == before


def test_a_repeated_hour_is_read_as_summer_time(cast, police):
    body = {**INCIDENT, "occurred_at": "2026-10-25T01:30:00", "reported_at": "2026-10-25T01:30:00+00:00"}
    response = post("/incidents/domestic-abuse", body, police)
    assert response.status_code == 201, response.content
    event = Event.objects.get(pk=response.json()["event_id"])
    assert event.occurred_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_a_child_born_on_the_day_is_accepted(cast, police):
    body = {**INCIDENT, "children": _child(date_of_birth="2026-11-20")}
    assert post("/incidents/domestic-abuse", body, police).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_commit_is_not_an_error(cast, police, monkeypatch):
    # What runs once the transaction has committed (waking the workers) must not fail a recorded event:
    # the client would retry it, and group commit would write the events of the group again.
    from openmash.recording import services

    def unreachable():
        raise ConnectionError("no listener")

    monkeypatch.setattr(services, "wake_workers", unreachable)
    before = _written()
    response = post("/incidents/domestic-abuse", INCIDENT, police, **{"Idempotency-Key": "after-commit"})
    assert response.status_code == 201, response.content
    assert _written()[0] == before[0] + 1


def test_a_stream_resumes_only_from_an_instant_it_could_have_sent():
    from openmash.sharing.views import event_cursor

    assert event_cursor("9999-12-31T23:59:59.999999+00:00") is None  # no microsecond after it
    assert event_cursor("2026-11-20T21:30:00") is None  # no offset: not an id this stream sends
    assert event_cursor("yesterday") is None
    assert event_cursor("2026-11-20T21:30:00+00:00") == dt.datetime(2026, 11, 20, 21, 30, 0, 1, tzinfo=dt.UTC)
