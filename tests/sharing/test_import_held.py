"""A large import in short transactions: nothing seen, delivered or escalated until the whole file is in; a
crash leaves nothing visible and running the file again finishes it."""

import pytest
from django.core.management import CommandError, call_command

from openmash.access import policy
from openmash.accounts.actors import actor_for_user, import_actor
from openmash.events.models import Event, ImportBatch, ImportRow, Source
from openmash.people import selectors as people_selectors
from openmash.recording import importing
from openmash.sharing import delivery
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import Delivery, DeliveryStatus, Share
from openmash.sharing.selectors import InboxFilters, inbox
from openmash.sharing.services import escalate_overdue

from .test_import import HEADER, ROWS, write_csv


class Crash(Exception):
    pass


def run(path):
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police", "--as", "live")


def drain():
    while delivery.run_once("w1"):
        pass


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importing, "RECORD_CHUNK", 1)
    monkeypatch.setattr(importing, "STAGE_CHUNK", 1)


def test_a_crash_before_the_release_leaves_nothing_seen_delivered_or_escalated(
    cast, tmp_path, monkeypatch, small_chunks
):
    path = write_csv(tmp_path / "incidents.csv", ROWS)
    council = actor_for_user(cast.users["mash.practitioner"])
    real_release = importing._release

    def crash(**kwargs):
        raise Crash

    monkeypatch.setattr(importing, "_release", crash)
    with pytest.raises(Crash):
        run(path)
    written = Event.objects.filter(reference__in=["CLE-25-0001", "CLE-25-0002"])
    assert written.count() == 2 and {event.source for event in written} == {Source.HELD}
    drain()
    escalate_overdue()
    assert set(Delivery.objects.filter(share__event__in=written).values_list("status", flat=True)) == {
        DeliveryStatus.HELD
    }
    assert inbox(actor=council, filters=InboxFilters()) == []
    assert not sharing_selectors.visible_events(council).filter(pk__in=written).exists()
    assert not any(policy.may_see_event(council, event) for event in written)
    assert (
        not sharing_selectors.visible_events(import_actor(cast.organisations["police"]))
        .filter(pk__in=written)
        .exists()
    )
    shares = Share.objects.filter(event__in=written)
    assert not any(share.escalation_level for share in shares)  # 26 days late, but no one told yet
    people = {subject.person_id for event in written for subject in event.subjects.all()}
    assert not people_selectors.visible_people(council).filter(pk__in=people).exists()

    monkeypatch.setattr(importing, "_release", real_release)
    run(path)  # the same file again: carries on, writes nothing twice
    assert Event.objects.filter(reference__in=["CLE-25-0001", "CLE-25-0002"]).count() == 2
    assert {event.source for event in written.all()} == {Source.IMPORT}
    drain()
    assert {share.event.reference for share in inbox(actor=council, filters=InboxFilters())} >= {
        "CLE-25-0001"
    }
    assert sharing_selectors.visible_events(council).filter(reference="CLE-25-0001").exists()
    assert policy.may_see_event(council, Event.objects.get(reference="CLE-25-0001"))
    assert people_selectors.visible_people(council).filter(pk__in=people).count() == 2
    assert ImportRow.objects.count() == 0
    assert ImportBatch.objects.get().finished_at is not None


def test_a_crash_while_writing_is_finished_by_running_the_file_again(
    cast, tmp_path, monkeypatch, small_chunks
):
    path = write_csv(tmp_path / "incidents.csv", ROWS)
    real = importing._carry_out_held
    calls = []

    def crash_on_the_second_chunk(*args):
        calls.append(1)
        if len(calls) == 2:
            raise Crash
        real(*args)

    monkeypatch.setattr(importing, "_carry_out_held", crash_on_the_second_chunk)
    with pytest.raises(Crash):
        run(path)
    assert ImportBatch.objects.get().recorded == 1  # the first chunk committed on its own
    assert Event.objects.filter(source=Source.HELD).count() == 1
    other = write_csv(tmp_path / "other.csv", ROWS[2:])
    with pytest.raises(CommandError, match=r"stopped part way .*Import incidents.csv again"):
        run(other)
    monkeypatch.setattr(importing, "_carry_out_held", real)
    run(path)
    assert Event.objects.filter(source=Source.IMPORT, reference__startswith="CLE-25-").count() == 2
    assert Event.objects.filter(source=Source.HELD).count() == 0


def test_a_file_with_problems_stages_nothing_it_keeps(cast, tmp_path, small_chunks):
    rows = [list(row) for row in ROWS]
    rows[2][HEADER.index("postcode")] = "ZZ99 9ZZ"
    with pytest.raises(CommandError, match="line 4, column postcode"):
        run(write_csv(tmp_path / "bad.csv", rows))
    assert (ImportBatch.objects.count(), ImportRow.objects.count()) == (0, 0)
    run(write_csv(tmp_path / "good.csv", ROWS))  # nothing left over blocks the next file
    assert Event.objects.filter(source=Source.IMPORT).count() == 2


def test_progress_is_told_rows_checked_and_written(cast, tmp_path, small_chunks):
    told = []
    summary = importing.import_domestic_abuse(
        actor=import_actor(cast.organisations["police"]),
        path=write_csv(tmp_path / "incidents.csv", ROWS),
        progress=lambda step, done, total: told.append((step, done, total)),
    )
    assert (summary.rows, summary.incidents) == (3, 2)
    assert ("Checking", 3, 3) in told
    assert [entry for entry in told if entry[0] == "Writing"] == [("Writing", 2, 3), ("Writing", 3, 3)]
    assert told[-1] == ("Releasing", 2, 2)


def test_staged_rows_left_by_a_run_that_stopped_after_its_release_are_removed_by_the_next(
    cast, tmp_path, monkeypatch
):
    real = importing._unstage_rows

    def crash(batch):
        raise Crash

    monkeypatch.setattr(importing, "_unstage_rows", crash)
    with pytest.raises(Crash):
        run(write_csv(tmp_path / "incidents.csv", ROWS[:2]))
    assert Event.objects.get(reference="CLE-25-0001").source == Source.IMPORT  # released: visible
    assert ImportRow.objects.count() == 2
    monkeypatch.setattr(importing, "_unstage_rows", real)
    run(write_csv(tmp_path / "more.csv", ROWS[2:]))
    assert ImportRow.objects.count() == 0
