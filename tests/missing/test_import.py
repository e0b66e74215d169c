"""openmash import missing: every row checked first, problems by line and column, real times kept."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from openmash.clocks.models import Clock
from openmash.events.models import Event
from openmash.missing.models import MissingEpisode, ReturnInterview
from openmash.sharing.models import Delivery, DeliveryStatus, Share

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
