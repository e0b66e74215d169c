"""The inbox in a fixed number of queries however many shares it lists, and open work before acknowledged work
on both databases (issue 16: the inbox under 300 ms at p95 at national volume, bench/national_pages.py)."""

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import EventKind
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import delivery
from openmash.sharing.models import Share


def _incidents(cast, count: int, start: int = 0) -> None:
    """``count`` incidents, each about a child and an adult of its own, shared with the council."""
    officer = actor_for_user(cast.users["police.officer"])
    for number in range(start, start + count):
        event_record(
            actor=officer,
            data=EventInput(
                kind=EventKind.DOMESTIC_ABUSE,
                reference=f"CLE-26-{8000 + number}",
                occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
                reported_at=dt.datetime(2026, 11, 20, 21, 45, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
                postcode="TS18 1AA",
                risk_level="medium",
                people=[
                    PersonInput(
                        given_name="Query",
                        family_name=f"Counted{number}",
                        date_of_birth=dt.date(2015, 1, 1 + number),
                        details={"present": True},
                    ),
                    PersonInput(
                        role="adult",
                        given_name="Parent",
                        family_name=f"Counted{number}",
                        date_of_birth=dt.date(1990, 1, 1 + number),
                        details={"harm_role": "victim", "relationship": "parent"},
                    ),
                ],
            ),
        )
    while delivery.run_once("test"):
        pass


def _queries(client: Client, url: str, **headers) -> tuple[int, dict]:
    """The queries of a second reading (the first may also write the session or the client's last use)."""
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries), response


def test_the_api_inbox_reads_a_fixed_number_of_queries_however_many_shares(cast):
    council = cast.organisations["council"]
    token = api_client_create(actor=system_actor(council), organisation=council, name="mis").token
    client = Client()
    _incidents(cast, 1)
    few, response = _queries(client, "/api/v1/inbox", Authorization=f"Bearer {token}")
    assert len(response.json()["shares"]) == 1
    _incidents(cast, 5, start=1)
    many, response = _queries(client, "/api/v1/inbox", Authorization=f"Bearer {token}")
    shares = response.json()["shares"]
    assert len(shares) == 6
    # What each share carries is still there: its recipient and its children and adults with their details.
    assert {share["recipient"] for share in shares} == {council.code}
    assert all(share["children"][0]["present"] is True for share in shares)
    assert all(share["adults"][0]["harm_role"] == "victim" for share in shares)
    assert many == few  # not two more a share (the recipient, the event's subjects)


def test_the_web_inbox_reads_a_fixed_number_of_queries_however_many_shares(cast, signed_in):
    client = signed_in("mash.practitioner")
    _incidents(cast, 1)
    few, _response = _queries(client, reverse("sharing:inbox"))
    _incidents(cast, 5, start=1)
    many, response = _queries(client, reverse("sharing:inbox"))
    assert response.text.count("Query Counted") == 2 * 6  # each child named twice a row (the row, its notice)
    assert many == few


def test_open_work_comes_before_acknowledged_work_on_either_database(cast, signed_in):
    """PostgreSQL puts NULL last in ascending order, SQLite first: the inbox says which it means."""
    _incidents(cast, 3)
    council = cast.organisations["council"]
    acknowledged = Share.objects.get(recipient=council, event__reference="CLE-26-8000")
    Share.objects.filter(pk=acknowledged.pk).update(acknowledged_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC))
    listed = signed_in("mash.practitioner").get(reverse("sharing:inbox")).context["shares"]
    references = [share.event.reference for share in listed if share.event.reference.startswith("CLE-26-80")]
    assert references[-1] == "CLE-26-8000"
