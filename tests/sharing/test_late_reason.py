"""A notice sent after the sender's clock ran out carries the sender's own reason: asked on the incident's check
your answers and by the API only when it will be late, required then, kept on the sender's late clock and shown
to the sender's managers; an import of history is not asked and keeps the stock words."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import system_actor
from openmash.accounts.services import api_client_create
from openmash.api.api import api
from openmash.clocks.models import Clock
from openmash.clocks.services import LATE_WITHOUT_REASON
from openmash.events.models import Event
from openmash.lib.errors import InvalidInput
from openmash.recording.services import event_record, late_notices
from openmash.sharing.models import Share
from tests.incident_journey import walk
from tests.sharing.test_api import INCIDENT
from tests.sharing.test_pages import INCIDENT_FORM
from tests.test_identifier_rule import RECORDINGS, _child, recorders  # noqa: F401  (a fixture)

from .conftest import LONDON

# Reported on Thursday 19 November 2026 at 9am; shared on Monday 23 November at 9am, three days after the
# police's 24 hours ran out (da-notification).
REPORTED = dt.datetime(2026, 11, 19, 9, 0, tzinfo=LONDON)
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
REASON = "The officer was off sick; the report waited in the queue"


def _late_clocks(reference: str) -> list[Clock]:
    return list(
        Clock.objects.filter(subject_type="share", event__reference=reference, breached_at__isnull=False)
    )


def test_a_late_notice_needs_the_senders_reason_when_it_is_asked(officer, incident_input):
    data = incident_input(occurred_at=REPORTED, reported_at=REPORTED, late_reason="")
    with time_machine.travel(MONDAY, tick=False):
        [first, *_rest] = late_notices(actor=officer, data=data)
        with pytest.raises(InvalidInput) as refused:
            event_record(actor=officer, data=data)
    # The earliest deadline missed is named: Amelia's school, before the next school day began.
    assert first.recipient.code == "URN-900001"
    assert first.due_at == dt.datetime(2026, 11, 20, 8, 30, tzinfo=LONDON)
    [message] = refused.value.errors["late_reason"]
    assert message == (
        "Give the reason for the delay: Riverside Primary School (demo) had to be told by "
        "20 November 2026 at 8:30am"
    )
    assert not Event.objects.filter(reference="CLE-26-1001").exists()  # nothing half-saved
    with time_machine.travel(MONDAY, tick=False):
        recorded = event_record(
            actor=officer, data=incident_input(occurred_at=REPORTED, reported_at=REPORTED, late_reason=REASON)
        )
    late = _late_clocks("CLE-26-1001")
    assert late and {clock.breach_reason for clock in late} == {REASON}
    assert {clock.organisation.code for clock in late} == {recorded.event.recorded_by.code}


def test_in_time_nothing_is_asked(officer, incident_input):
    with time_machine.travel(REPORTED + dt.timedelta(hours=1), tick=False):
        data = incident_input(occurred_at=REPORTED, reported_at=REPORTED, late_reason="")
        assert late_notices(actor=officer, data=data) == []
        event_record(actor=officer, data=data)
    assert _late_clocks("CLE-26-1001") == []


def test_where_nobody_is_asked_a_late_notice_keeps_the_stock_words(officer, incident_input):
    # An app's own step, or an import of history, passes no reason at all.
    with time_machine.travel(MONDAY, tick=False):
        event_record(actor=officer, data=incident_input(occurred_at=REPORTED, reported_at=REPORTED))
    assert {clock.breach_reason for clock in _late_clocks("CLE-26-1001")} == {LATE_WITHOUT_REASON}


def test_an_import_of_history_is_not_asked(officer, incident_input):
    data = incident_input(
        occurred_at=REPORTED, reported_at=REPORTED, shared_at=MONDAY, imported_as="history", late_reason=""
    )
    event_record(actor=officer, data=data)
    assert {clock.breach_reason for clock in _late_clocks("CLE-26-1001")} == {LATE_WITHOUT_REASON}


def test_a_reason_too_long_is_refused(officer, incident_input):
    with pytest.raises(InvalidInput) as refused, time_machine.travel(MONDAY, tick=False):
        event_record(
            actor=officer,
            data=incident_input(occurred_at=REPORTED, reported_at=REPORTED, late_reason="x" * 2001),
        )
    assert refused.value.errors["late_reason"] == ["Enter at most 2000 characters"]


@pytest.fixture
def police_api(cast):
    organisation = cast.organisations["police"]
    token = api_client_create(actor=system_actor(organisation), organisation=organisation, name="late").token
    return {"Authorization": f"Bearer {token}"}


def _post(path: str, body: dict, headers: dict):
    return Client().post(f"/api/v1{path}", body, content_type="application/json", headers=headers)


LATE_INCIDENT = {
    **{key: value for key, value in INCIDENT.items() if key != "late_reason"},
    "risk_level": "medium",
    "occurred_at": "2026-11-19T08:50:00",
    "reported_at": "2026-11-19T09:00:00",
}


def test_the_api_asks_for_late_reason_only_when_late(cast, police_api):
    with time_machine.travel(MONDAY, tick=False):
        refused = _post("/incidents/domestic-abuse", LATE_INCIDENT, police_api)
        assert refused.status_code == 422
        assert refused["Content-Type"].startswith("application/problem+json")
        assert [problem["field"] for problem in refused.json()["errors"]] == ["late_reason"]
        assert "had to be told by 20 November 2026 at 8:30am" in refused.json()["errors"][0]["detail"]
        assert not Share.objects.exists()
        blank = _post("/incidents/domestic-abuse", {**LATE_INCIDENT, "late_reason": "   "}, police_api)
        assert blank.status_code == 422
        done = _post("/incidents/domestic-abuse", {**LATE_INCIDENT, "late_reason": REASON}, police_api)
        assert done.status_code == 201, done.content
    assert {clock.breach_reason for clock in _late_clocks("CLE-26-3001")} == {REASON}
    # In time, no reason is needed.
    with time_machine.travel(REPORTED + dt.timedelta(hours=1), tick=False):
        in_time = _post(
            "/incidents/domestic-abuse", {**LATE_INCIDENT, "police_reference": "CLE-26-3002"}, police_api
        )
    assert in_time.status_code == 201, in_time.content


def test_the_api_documents_late_reason():
    schemas = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]
    for name in ("DomesticAbuseIn", "MissingIn", "FoundIn", "PoliceProtectionIn"):
        described = schemas[name]["properties"]["late_reason"]
        assert described["maxLength"] == 2000 and "Required when" in described["description"]


def test_a_missing_report_sent_late_by_the_api_needs_its_reason(cast, police_api):
    body = {
        "child": {"given_name": "Ava", "family_name": "Tarrant", "date_of_birth": "2014-05-05"},
        "last_seen_at": "2026-11-19T08:00:00",
        "reported_at": "2026-11-19T09:00:00",
        "postcode": "TS18 1AA",
    }
    with time_machine.travel(MONDAY, tick=False):
        refused = _post("/missing-reports", body, police_api)
        done = _post("/missing-reports", {**body, "late_reason": REASON}, police_api)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "late_reason"
    assert done.status_code == 201, done.content


def test_the_web_asks_on_check_your_answers_only_when_late(signed_in):
    client = signed_in("police.officer")
    answers = {key: value for key, value in INCIDENT_FORM.items() if key != "late_reason"}
    walk(client, answers, confirm=False)
    check = client.get(reverse("events:incident-check")).text
    assert "Why is this being shared late?" in check
    assert "Stockton-on-Tees had to be told by 21 November 2026 at 9:45pm" in check
    refused = client.post(reverse("events:incident-check"), {"late_reason": ""})
    assert refused.status_code == 200
    assert "Error:" in refused.text and 'href="#id_late_reason"' in refused.text
    assert "govuk-error-message" in refused.text and not Event.objects.exists()
    done = client.post(reverse("events:incident-check"), {"late_reason": REASON})
    assert done.status_code == 302
    assert {clock.breach_reason for clock in _late_clocks("CLE-26-4001")} == {REASON}


def test_the_web_does_not_ask_in_time(signed_in):
    client = signed_in("police.officer")
    answers = {key: value for key, value in INCIDENT_FORM.items() if key != "late_reason"}
    with time_machine.travel(dt.datetime(2026, 11, 20, 22, 0, tzinfo=LONDON), tick=False):
        walk(client, answers, confirm=False)
        check = client.get(reverse("events:incident-check")).text
        assert "Why is this being shared late?" not in check
        assert client.post(reverse("events:incident-check")).status_code == 302


def test_the_senders_managers_read_the_reason_in_plain_words(cast, signed_in, officer, incident_input):
    with time_machine.travel(MONDAY, tick=False):
        event_record(
            actor=officer, data=incident_input(occurred_at=REPORTED, reported_at=REPORTED, late_reason=REASON)
        )
        event_record(
            actor=officer,
            data=incident_input(reference="CLE-26-1002", occurred_at=REPORTED, reported_at=REPORTED),
        )
    page = signed_in("police.designated").get(reverse("clocks:notifications-sent")).text
    assert "Reason for the delay" in page and REASON in page
    assert "Sent after the deadline; no reason recorded" in page


def test_asking_why_tells_nothing_of_a_record_the_recorder_may_not_see(cast, recorders):
    """Another force names Amelia by NHS number, weeks late: her council and school are told, the force is told
    of neither, so it is not asked why they were told late (the question would name them); their late clocks
    keep the stock words."""
    _organisation, headers = recorders["merseyside"]
    child = _child(cast.people["Amelia Hart"], "nhs", agree=True)
    body = {key: value for key, value in RECORDINGS[0][2](child).items() if key != "late_reason"}
    answer = _post("/incidents/domestic-abuse", body, headers)
    assert answer.status_code == 201, answer.content
    assert answer.json()["shares"] == []
    assert not any(held in answer.text for held in ("Stockton", "Riverside", "E06000004", "URN-900001"))
    late = _late_clocks("MER-26-0001")
    assert late and {clock.breach_reason for clock in late} == {LATE_WITHOUT_REASON}
