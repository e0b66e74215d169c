"""Group commit (decision 0010): events that requests record at the same moment share one transaction, and
each caller still gets its own result or its own error."""

import datetime as dt
import threading
import time

import pytest
from django.db import OperationalError, connection

from openmash.audit.services import audit_verify
from openmash.database import GroupCommit
from openmash.events.models import Event, EventSubject
from openmash.recording import services as events
from openmash.recording.services import PersonInput
from openmash.sharing.models import Delivery, Share


def _queued(group: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(group._queue) < count:
        assert time.monotonic() < deadline, "callers did not queue"
        time.sleep(0.001)


def _submit_while_held(group: GroupCommit, items: list) -> list:
    """Submit ``items`` from threads while the group's writer is busy, so they queue; then let it go.
    Each caller's result or error, in the order of ``items``."""
    outcomes: list = [None] * len(items)

    def submit(position: int) -> None:
        try:
            outcomes[position] = group.submit(items[position])
        except Exception as error:
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(position,)) for position in range(len(items))]
    with group._write_lock:
        for thread in threads:
            thread.start()
        _queued(group, len(items))
    for thread in threads:
        thread.join(10)
    return outcomes


def test_callers_that_arrive_together_share_one_write():
    written: list[list[str]] = []

    def write(items: list[str]) -> list[str]:
        written.append(sorted(items))
        return [item.upper() for item in items]

    group: GroupCommit[str, str] = GroupCommit(write)
    assert group.submit("alone") == "ALONE"
    outcomes = _submit_while_held(group, ["a", "b", "c"])
    assert outcomes == ["A", "B", "C"]
    assert written == [["alone"], ["a", "b", "c"]]
    assert group.sizes == {1: 1, 3: 1}


def test_one_bad_item_fails_alone_and_the_others_are_written():
    written: list[list[str]] = []

    def write(items: list[str]) -> list[str]:
        written.append(sorted(items))
        if "bad" in items:
            raise ValueError("this one is bad")
        return [item.upper() for item in items]

    outcomes = _submit_while_held(GroupCommit(write), ["a", "bad", "c"])
    assert outcomes[0] == "A" and outcomes[2] == "C"
    assert isinstance(outcomes[1], ValueError)
    assert written[0] == ["a", "bad", "c"] and sorted(written[1:]) == [["a"], ["bad"], ["c"]]


def test_an_unavailable_database_fails_every_caller_without_retrying():
    written: list[list[str]] = []

    def write(items: list[str]) -> list[str]:
        written.append(items)
        raise OperationalError("database is locked")

    outcomes = _submit_while_held(GroupCommit(write), ["a", "b"])
    assert all(isinstance(outcome, OperationalError) for outcome in outcomes)
    assert len(written) == 1


def _recording(checked, also=None):
    """What event_record queues: the checked event, planned in the caller's thread."""
    return events._Recording(checked, also, events._plan([checked]))


@pytest.mark.django_db(transaction=True)
def test_incidents_recorded_together_are_each_shared_and_audited(cast, incident_input, officer):
    def incident(n: int):
        child = PersonInput(given_name=f"Child{n}", family_name="Together", date_of_birth=dt.date(2016, 3, 1))
        return events.event_check(
            actor=officer, data=incident_input(reference=f"TOGETHER-{n}", people=[child])
        )

    queued = [_recording(incident(n)) for n in range(4)]
    before = events._recorder.sizes[4]
    recorded = _submit_while_held(events._recorder, queued)
    assert events._recorder.sizes[4] == before + 1  # one transaction carried all four
    assert sorted(one.event.reference for one in recorded) == [f"TOGETHER-{n}" for n in range(4)]
    for one in recorded:
        assert Event.objects.filter(pk=one.event.pk).exists()
        shares = Share.objects.filter(event=one.event)
        assert {share.recipient.code for share in shares} == {share.recipient.code for share in one.shares}
        assert shares.exists() and Delivery.objects.filter(share__in=shares).count() >= 2 * shares.count()
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_failing_incident_among_others_is_refused_alone(cast, incident_input, officer):
    good = events.event_check(actor=officer, data=incident_input(reference="GOOD-1"))
    bad = events.event_check(actor=officer, data=incident_input(reference="BAD-1"))

    def refuse(_recorded):  # fails under the lock, as a raced Idempotency-Key does
        raise ValueError("refused under the lock")

    outcomes = _submit_while_held(events._recorder, [_recording(good), _recording(bad, refuse)])
    assert outcomes[0].event.reference == "GOOD-1"
    assert isinstance(outcomes[1], ValueError)
    assert Event.objects.filter(reference="GOOD-1").count() == 1
    assert not Event.objects.filter(reference="BAD-1").exists()
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_two_incidents_planned_apart_naming_one_new_child_record_one_child(cast, incident_input, officer):
    """Each request plans its event alone, so two can both plan the same new child (by NHS number). The
    identifier's unique constraint fails their group; each is then planned afresh and written alone, and the
    second finds the child the first recorded."""
    child = PersonInput(
        given_name="Nia", family_name="Twice", date_of_birth=dt.date(2017, 5, 1), nhs_number="9434765919"
    )
    queued = [
        _recording(
            events.event_check(actor=officer, data=incident_input(reference=f"NIA-{n}", people=[child]))
        )
        for n in range(2)
    ]
    outcomes = _submit_while_held(events._recorder, queued)
    assert [one.event.reference for one in outcomes] == ["NIA-0", "NIA-1"]
    people = {
        subject.person_id for subject in EventSubject.objects.filter(event__reference__startswith="NIA-")
    }
    assert len(people) == 1
    assert audit_verify().ok


def test_every_group_is_written_by_the_one_writer_thread():
    seen: list[str] = []

    def write(items: list[str]) -> list[str]:
        seen.append(threading.current_thread().name)
        return items

    group: GroupCommit[str, str] = GroupCommit(write)
    assert group.submit("first") == "first"
    assert _submit_while_held(group, ["a", "b"]) == ["a", "b"]
    assert group.submit("last") == "last"
    assert seen == ["openmash-group-commit"] * 3  # one transaction each for first, a and b together, last
    group.release_connection()  # returns once the writer has closed its connection


@pytest.mark.django_db(transaction=True)
def test_a_value_longer_than_its_column_is_refused_never_cut_short():
    # On PostgreSQL the column arrays were cast to varchar(n)[], and an explicit cast cuts a longer value to
    # n characters without a word. The length is the column's to enforce (SQLite keeps the value whole).
    from django.db import DataError, transaction
    from django.utils import timezone

    from openmash.database import rows_insert
    from openmash.sharing.models import IdempotentRequest

    names = ("api_client_id", "organisation_id", "method", "path", "key", "request_digest", "status", "body")
    insert = rows_insert(
        IdempotentRequest,
        (*names, "created_at"),
        [(1, 1, "POST", "/api/v1/x", "k" * 201, "d" * 64, 201, {}, timezone.now())],
    )
    try:
        with transaction.atomic():
            insert.run()
    except DataError:
        assert connection.vendor == "postgresql"
        assert not IdempotentRequest.objects.exists()
    else:
        assert connection.vendor == "sqlite"
        assert IdempotentRequest.objects.get().key == "k" * 201
