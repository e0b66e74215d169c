"""Log lines: JSON objects with a request id, carried from the request that recorded an incident to the
worker's lines for the shares it produced; and never a child's name, date of birth or identifier."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event
from openmash.lib.identifiers import nhs_number_check_digit
from openmash.operations.logs import JsonFormatter, RequestIdFilter
from openmash.sharing.models import Delivery, WebhookEndpoint
from openmash.worker.loop import run_worker
from tests.incident_journey import walk
from tests.sharing.test_api import INCIDENT
from tests.sharing.test_pages import INCIDENT_FORM


def nhs_number(first_nine: str) -> str:
    check = nhs_number_check_digit(first_nine)
    assert check is not None
    return f"{first_nine}{check}"


# Names nobody else in the suite has, so that finding one in a log line can only mean it leaked.
WEB_CHILD = {
    "given": "Xanthippe",
    "family": "Quillfeather",
    "dob": (23, 7, 2016),
    "nhs": nhs_number("401023213"),
}
API_CHILD = {"given": "Ottoline", "family": "Vexbridge", "dob": (9, 3, 2014), "nhs": nhs_number("402119876")}


def forms_of(child: dict) -> list[str]:
    """Every way the child's details could be written in a log line."""
    day, month, year = child["dob"]
    nhs = child["nhs"]
    return [
        child["given"],
        child["family"],
        f"{year}-{month:02d}-{day:02d}",
        f"{day:02d}/{month:02d}/{year}",
        f"{day}/{month}/{year}",
        f"{day} {['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][month]} {year}",
        nhs,
        f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
    ]


@pytest.fixture
def log_lines():
    """Everything logged anywhere in this process, at every level, formatted as the service formats it;
    a function giving the lines so far, each parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    configured = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**configured))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()], stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_log_lines_are_json_with_the_request_id(db, log_lines):
    read, _stream = log_lines
    response = Client().get("/no-such-page/?name=Xanthippe")
    rid = response["X-Request-ID"]
    (line,) = [line for line in read() if line["logger"] == "django.request"]
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["request_id"] == rid and line["level"] == "WARNING" and line["time"]
    assert "request" not in line  # Django's request object: its text has the query string


def test_a_plain_request_id_given_is_kept_and_anything_else_replaced(db):
    assert (
        Client().get("/healthz", headers={"X-Request-ID": "lb-7f3a.91:2"})["X-Request-ID"] == "lb-7f3a.91:2"
    )
    for bad in ("two words", "Xanthippe\nQuillfeather", "x" * 65, "<script>", ""):
        given = Client().get("/healthz", headers={"X-Request-ID": bad})["X-Request-ID"]
        assert given != bad and len(given) == 32
    first, second = (Client().get("/healthz")["X-Request-ID"] for _ in range(2))
    assert first != second


def _web_form(child: dict) -> dict:
    day, month, year = child["dob"]
    return {
        **INCIDENT_FORM,
        "police_reference": "CLE-26-7001",
        "child1-given_name": child["given"],
        "child1-family_name": child["family"],
        "child1-date_of_birth_0": str(day),
        "child1-date_of_birth_1": str(month),
        "child1-date_of_birth_2": str(year),
        "child1-nhs_number": child["nhs"],
    }


def _api_body(child: dict) -> dict:
    day, month, year = child["dob"]
    return {
        **INCIDENT,
        "police_reference": "CLE-26-7002",
        "children": [
            {
                "given_name": child["given"],
                "family_name": child["family"],
                "date_of_birth": f"{year}-{month:02d}-{day:02d}",
                "nhs_number": child["nhs"],
                "present": True,
                "school_urn": "900001",
            }
        ],
    }


def test_no_childs_details_in_any_log_line_from_recording_to_delivery(cast, signed_in, log_lines):
    read, stream = log_lines
    # A webhook endpoint nobody listens on: its delivery fails and is logged as failing, with no content.
    WebhookEndpoint.objects.create(
        organisation=cast.organisations["council"], url="http://127.0.0.1:9/hook", secret="whsec_" + "A" * 32
    )
    officer = signed_in("police.officer")
    # The web: a form refused once (the name is in the request), then the whole journey; a person search by
    # name, date of birth and NHS number; a record page.
    refused = officer.post(
        reverse("events:incident-person", args=["children", 1]),
        {
            "child1-given_name": WEB_CHILD["given"],
            "child1-family_name": WEB_CHILD["family"],
            "child1-date_of_birth_0": "31",
            "child1-date_of_birth_1": "2",
            "child1-date_of_birth_2": "2016",
            "child1-nhs_number": WEB_CHILD["nhs"][:-1],
        },
    )
    assert refused.status_code == 200 and "There is a problem" in refused.text
    confirmed = walk(officer, _web_form(WEB_CHILD))
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    web_request = confirmed["X-Request-ID"]
    day, month, year = WEB_CHILD["dob"]
    officer.get(
        "/people/",
        {
            "name": f"{WEB_CHILD['given']} {WEB_CHILD['family']}",
            "date_of_birth_0": day,
            "date_of_birth_1": month,
            "date_of_birth_2": year,
            "identifier": WEB_CHILD["nhs"],
        },
    )
    # The API: a refused body (a bad date of birth beside the name), then the incident, with its own id.
    police = cast.organisations["police"]
    token = api_client_create(actor=system_actor(police), organisation=police, name="logs").token
    api = Client(headers={"Authorization": f"Bearer {token}"})
    bad = _api_body(API_CHILD)
    bad["children"][0]["date_of_birth"] = "not a date"
    assert api.post("/api/v1/incidents/domestic-abuse", bad, "application/json").status_code == 422
    recorded = api.post(
        "/api/v1/incidents/domestic-abuse",
        _api_body(API_CHILD),
        "application/json",
        headers={"X-Request-ID": "lb-api-7002"},
    )
    assert recorded.status_code == 201, recorded.content
    assert recorded["X-Request-ID"] == "lb-api-7002"
    # The worker delivers everything (inboxes, alerts, the failing webhook).
    run_worker(batch=True)

    text = stream.getvalue()
    for child in (WEB_CHILD, API_CHILD):
        for written in forms_of(child):
            assert written.lower() not in text.lower(), f"{written!r} is in the logs"
    lines = read()
    assert lines, "nothing was logged"

    # The worker's line for each delivery of each incident's shares carries the id of the request that
    # recorded it.
    tried = [line for line in lines if line["logger"] == "openmash.sharing.outbox"]
    for reference, rid in (("CLE-26-7001", web_request), ("CLE-26-7002", "lb-api-7002")):
        event = Event.objects.get(reference=reference)
        deliveries = Delivery.objects.filter(share__event=event)
        assert {delivery.request_id for delivery in deliveries} == {rid}
        assert deliveries.filter(attempt_log__isnull=False).count() >= 4
        for delivery in deliveries.filter(attempt_log__isnull=False).distinct():
            (line,) = [
                line for line in tried if delivery.pk in {one["delivery_id"] for one in line["deliveries"]}
            ]
            assert line["request_id"] == rid
            (one,) = [one for one in line["deliveries"] if one["delivery_id"] == delivery.pk]
            assert one["share_id"] == str(delivery.share_id) and one["channel"] == delivery.channel
    webhook = [one for line in tried for one in line["deliveries"] if one["channel"] == "webhook"]
    assert webhook and all(one["outcome"] == "failed" for one in webhook)
    # The worker's other lines while delivering say which request's share they are about: a logged alert,
    # the HTTP client's lines while it sends a webhook (the first, the web incident's: later ones wait).
    alerts = [line for line in lines if line["logger"] == "openmash.sharing.channels"]
    assert {line["request_id"] for line in alerts} == {web_request, "lb-api-7002"}
    sending = [line for line in lines if line["logger"].startswith("httpcore")]
    assert sending and {line["request_id"] for line in sending} == {web_request}


@pytest.mark.parametrize(
    ("error", "kept"),
    [
        (
            'duplicate key value violates unique constraint "identifier_unique"\n'
            "DETAIL:  Key (scheme, value)=(nhs, 9434765919) already exists.",
            "DETAIL:  Key (scheme, value)=(...) already exists.",
        ),
        (
            'new row for relation "people_person" violates check constraint "born_before_now"\n'
            "DETAIL:  Failing row contains (01a2, Xanthippe, Quillfeather, 2016-07-23, null).",
            "DETAIL:  Failing row contains (...).",
        ),
        (
            'insert or update on table "x" violates foreign key constraint "y"\n'
            "DETAIL:  Key (person_id)=(01a24400-19c8-7979) is not present in table",
            "DETAIL:  Key (person_id)=(...) is not present in table",
        ),
    ],
)
def test_the_row_values_in_a_database_error_are_cut_from_its_log_line(error, kept):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    configured = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**configured))
    logger = logging.getLogger("tests.operations.cut")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(error)
        except RuntimeError:
            logger.exception("Unexpected error answering %s", "POST /api/v1/people")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert kept in line["exc_info"]
    for value in ("9434765919", "Xanthippe", "2016-07-23", "01a24400-19c8-7979"):
        assert value not in stream.getvalue()
    assert line["message"] == "Unexpected error answering POST /api/v1/people"
