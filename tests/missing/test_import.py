"""openmash import missing: every row checked first, problems by line and column, real times kept."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from openmash.accounts.actors import actor_for_user
from openmash.clocks.models import Clock
from openmash.clocks.services import clocks_sweep_breaches
from openmash.events.models import Event, ImportBatch
from openmash.missing import selectors
from openmash.missing.models import MissingEpisode, ReturnInterview
from openmash.recording.import_rows import file_digest
from openmash.sharing import delivery
from openmash.sharing.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Escalation,
    ImportedAs,
    Share,
    WebhookEndpoint,
)
from openmash.sharing.services import escalate_overdue
from tests.sharing.receivers import Receiver

HEADER = [
    "reference",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "child_nhs_number",
    "child_upn",
    "council",
    "looked_after",
    "category",
    "risk_level",
    "last_seen_at",
    "reported_at",
    "council_told_at",
    "found_at",
    "return_interview_offered_at",
    "return_interview_held_at",
    "return_interview_independent",
]


def _at(days_ago: float) -> str:
    return (timezone.localtime() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


def _row(reference: str, **changes) -> dict[str, str]:
    row = {
        "reference": reference,
        "child_given_name": "Kai",
        "child_family_name": "Rowe",
        "child_date_of_birth": "2011-02-03",
        "child_nhs_number": "",
        "child_upn": "",
        "council": "E06000004",
        "looked_after": "yes",
        "category": "missing",
        "risk_level": "medium",
        "last_seen_at": _at(20),
        "reported_at": _at(19.9),
        "council_told_at": _at(19.5),
        "found_at": _at(19),
        "return_interview_offered_at": _at(18),
        "return_interview_held_at": _at(17),
        "return_interview_independent": "yes",
    }
    return row | changes


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "episodes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_file_imports_its_episodes_with_their_real_times(cast, tmp_path):
    path = _file(
        tmp_path,
        [
            _row("MP-1"),
            _row(
                "MP-2",
                last_seen_at=_at(5),
                reported_at=_at(4.9),
                council_told_at="",
                found_at="",
                return_interview_offered_at="",
                return_interview_held_at="",
                return_interview_independent="",
                category="away",
            ),
        ],
    )
    call_command("import", "missing", str(path), "--org", "Cleveland Police")
    first, second = MissingEpisode.objects.order_by("reference")
    assert first.child_id == second.child_id  # the same child across rows is one person
    assert first.council == cast.organisations["council"] and first.looked_after
    share = Share.objects.get(event=first.missing_report, recipient=cast.organisations["council"])
    assert share.shared_at == first.council_told_at and first.council_told_at.strftime("%Y-%m-%dT%H:%M") != ""
    assert first.found_at is not None and second.found_at is None and second.category == "A"
    interview = ReturnInterview.objects.get(episode=first)
    assert interview.independent is True and interview.held_at is not None
    clock = Clock.objects.get(rule="return-interview", subject_id=str(first.found_report_id))
    assert clock.stopped_at == interview.offered_at and clock.breached_at is None
    # Released at once: nothing held.
    assert not Event.objects.filter(source="held").exists()
    assert not Delivery.objects.filter(status=DeliveryStatus.HELD).exists()


def test_a_bad_file_imports_nothing_and_says_where(cast, tmp_path):
    path = _file(
        tmp_path,
        [
            _row("MP-1"),
            _row("MP-1", risk_level="severe"),
            _row("MP-3", category="gone", council="Nowhere", found_at=_at(25)),
            _row("MP-4", return_interview_independent=""),
        ],
    )
    with pytest.raises(CommandError) as caught:
        call_command("import", "missing", str(path), "--org", "Cleveland Police")
    text = str(caught.value)
    assert "Nothing was imported" in text
    for expected in (
        "line 3, column reference",
        "line 3, column risk_level",
        "line 4, column category",
        "line 4, column council",
        "line 4, column found_at",
        "line 5, column return_interview_independent",
    ):
        assert expected in text, text
    assert not MissingEpisode.objects.exists()


def test_a_header_without_a_required_column_is_refused(cast, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("reference,child_given_name\nMP-1,Kai\n")
    with pytest.raises(CommandError) as caught:
        call_command("import", "missing", str(path), "--org", "Cleveland Police")
    assert "line 1, column council: column is missing from the header" in str(caught.value)


def test_an_xlsx_file_imports_too(cast, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    row = _row("MP-X")
    sheet.append([row[column] for column in HEADER])
    path = tmp_path / "episodes.xlsx"
    book.save(path)
    call_command("import", "missing", str(path), "--org", "Cleveland Police")
    assert MissingEpisode.objects.get().reference == "MP-X"


def _unfinished(reference: str, days_ago: float) -> dict[str, str]:
    """Found but never offered a return interview (as the file records it)."""
    return _row(
        reference,
        last_seen_at=_at(days_ago),
        reported_at=_at(days_ago - 0.1),
        council_told_at=_at(days_ago - 0.2),
        found_at=_at(days_ago - 0.5),
        return_interview_offered_at="",
        return_interview_held_at="",
        return_interview_independent="",
    )


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _drain():
    while delivery.run_once("w1"):
        pass


def test_history_is_the_default_and_creates_no_live_work(cast, tmp_path, receiver):
    WebhookEndpoint.objects.create(
        organisation=cast.organisations["council"],
        url=receiver.url,
        secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    path = _file(tmp_path, [_row("MP-1"), _unfinished("MP-2", 10), _unfinished("MP-3", 1)])
    out = io.StringIO()
    call_command("import", "missing", str(path), "--org", "Cleveland Police", stdout=out)
    assert "as history" in out.getvalue()
    episodes = MissingEpisode.objects.all()
    events = Event.objects.filter(
        pk__in=[e.missing_report_id for e in episodes] + [e.found_report_id for e in episodes]
    )
    shares = Share.objects.filter(event__in=events)
    assert shares.exists() and {share.imported_as for share in shares} == {ImportedAs.HISTORY}
    deliveries = Delivery.objects.filter(share__in=shares)
    assert {Channel.INBOX, Channel.WEBHOOK} <= set(deliveries.values_list("channel", flat=True))
    _drain()
    far = timezone.now() + dt.timedelta(days=400)
    raised = escalate_overdue(now=far)
    clocks_sweep_breaches(now=far)
    # Nothing sent (inbox, alert, webhook), nothing escalated, no clock left for anyone to meet.
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.HISTORY}
    assert not DeliveryAttempt.objects.filter(delivery__in=deliveries).exists()
    assert receiver.received == []
    assert raised == 0 and not Escalation.objects.filter(share__in=shares).exists()
    clocks = Clock.objects.filter(rule="return-interview", event__in=events)
    assert clocks.count() == 3
    assert not clocks.filter(stopped_at__isnull=True).exists()
    assert not clocks.filter(escalated_at__isnull=False).exists()
    # Missed when due with no offer in the file; met at the real offer; not yet due: closed, not missed.
    by_reference = {clock.event.reference: clock for clock in clocks.select_related("event")}
    assert by_reference["MP-1"].breached_at is None
    assert by_reference["MP-1"].stopped_at == ReturnInterview.objects.get().offered_at
    assert by_reference["MP-2"].breached_at == by_reference["MP-2"].due_at
    assert "records no offer" in by_reference["MP-2"].breach_reason
    assert by_reference["MP-3"].breached_at is None and "history" in by_reference["MP-3"].breach_reason
    # The found report reached the council when the child was found (the file's time), not at the import.
    found = Share.objects.get(
        event=episodes.get(reference="MP-2").found_report, recipient=cast.organisations["council"]
    )
    assert found.shared_at == found.delivered_at == episodes.get(reference="MP-2").found_at
    # Not in the return-interview service's inbox of children to offer an interview to.
    service = actor_for_user(cast.users["return.interviewer"])
    assert selectors.returned_children(actor=service) == []


def test_history_still_counts_in_the_missing_list_and_the_return(cast, tmp_path):
    path = _file(tmp_path, [_row("MP-1"), _unfinished("MP-2", 10)])
    call_command("import", "missing", str(path), "--org", "Cleveland Police")
    council = cast.organisations["council"]
    manager = actor_for_user(cast.users["team.manager"])
    [line] = selectors.missing_list(actor=manager, council=council)
    assert line.missing_12_months == 2
    assert line.last_episode is not None
    last = MissingEpisode.objects.get(reference="MP-2")
    assert line.last_episode.last_seen_at == last.last_seen_at  # the real time, not the import's
    # The file says the council was told 2.4 hours after the police: late by its own times, not the import's.
    assert line.council_told_in_time is False
    assert last.council_told_at - last.reported_at == dt.timedelta(hours=2.4)
    out = tmp_path / "903"
    year = last.last_seen_at.year if last.last_seen_at.month >= 4 else last.last_seen_at.year - 1
    call_command(
        "export", "ssda903-missing", "--council", council.code, "--year", str(year), "--out", str(out)
    )
    with (out / "missing.csv").open() as handle:
        starts = {row["MIS_START"] for row in csv.DictReader(handle)}
    assert timezone.localtime(last.last_seen_at).strftime("%d/%m/%Y") in starts


def test_as_live_is_a_real_backlog(cast, tmp_path):
    path = _file(tmp_path, [_unfinished("MP-2", 10)])
    out = io.StringIO()
    call_command("import", "missing", str(path), "--org", "Cleveland Police", "--as", "live", stdout=out)
    assert "as live work" in out.getvalue()
    episode = MissingEpisode.objects.get()
    shares = Share.objects.filter(event__in=[episode.missing_report, episode.found_report])
    assert {share.imported_as for share in shares} == {ImportedAs.LIVE}
    assert DeliveryStatus.PENDING in set(
        Delivery.objects.filter(share__in=shares).values_list("status", flat=True)
    )
    clock = Clock.objects.get(rule="return-interview", event=episode.found_report)
    assert clock.stopped_at is None  # still to be offered: someone's work now
    assert clocks_sweep_breaches() == 1  # and it is overdue: raised to the team managers
    service = actor_for_user(cast.users["return.interviewer"])
    assert [item.episode.pk for item in selectors.returned_children(actor=service)] == [episode.pk]
    assert ImportBatch.objects.get().imported_as == ImportedAs.LIVE


def test_an_import_stopped_part_way_finishes_only_as_what_it_began(cast, tmp_path):
    path = _file(tmp_path, [_row("MP-1")])
    ImportBatch.objects.create(
        organisation=cast.organisations["police"],
        file_name=path.name,
        digest=file_digest(path),
        started_at=timezone.now(),
        rows=1,
        incidents=1,
        checked=True,
        imported_as=ImportedAs.LIVE,
    )
    with pytest.raises(CommandError, match=r"imported as live\. Import it again as live"):
        call_command("import", "missing", str(path), "--org", "Cleveland Police")
    call_command("import", "missing", str(path), "--org", "Cleveland Police", "--as", "live")
    assert MissingEpisode.objects.get().reference == "MP-1"
