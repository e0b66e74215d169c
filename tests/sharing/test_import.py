"""Importing incidents: real times kept, one incident per reference, errors by line and column, all or nothing."""

import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from openmash.events.models import Event
from openmash.sharing.models import Share

HEADER = [
    "police_reference",
    "occurred_at",
    "reported_at",
    "shared_at",
    "risk_level",
    "postcode",
    "council",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "child_nhs_number",
    "child_upn",
    "child_school_urn",
    "child_present",
    "summary",
]
ROWS = [
    [
        "CLE-25-0001",
        "2025-10-01T22:00:00",
        "2025-10-01T22:10",
        "2025-10-29T09:00:00",
        "medium",
        "TS18 1AA",
        "",
        "Ava",
        "Stone",
        "2014-03-01",
        "",
        "",
        "900001",
        "yes",
        "Argument",
    ],
    [
        "CLE-25-0001",
        "2025-10-01T22:00:00",
        "2025-10-01T22:10",
        "2025-10-29T09:00:00",
        "medium",
        "TS18 1AA",
        "",
        "Ben",
        "Stone",
        "2021-05-05",
        "",
        "",
        "",
        "no",
        "Argument",
    ],
    [
        "CLE-25-0002",
        "2025-10-03T01:00:00+01:00",
        "2025-10-03T01:20:00+01:00",
        "",
        "high",
        "BL9 0EJ",
        "",
        "Cal",
        "Reid",
        "2012-07-07",
        "",
        "",
        "",
        "yes",
        "Assault",
    ],
]


def write_csv(path, rows, header=HEADER):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_import_keeps_real_times_and_groups_by_reference(cast, tmp_path, capsys):
    call_command(
        "import",
        "domestic-abuse",
        str(write_csv(tmp_path / "incidents.csv", ROWS)),
        "--org",
        "Cleveland Police",
    )
    assert "Imported 2 incident(s)" in capsys.readouterr().out
    first = Event.objects.get(reference="CLE-25-0001")
    assert first.source == "import" and first.subjects.count() == 2
    council = first.shares.get(recipient__code="E06000004")
    # Occurred in October 2025 (BST): 22:00 local is 21:00 UTC. Shared four weeks later: the delay shows.
    assert council.occurred_at == dt.datetime(2025, 10, 1, 21, 0, tzinfo=dt.UTC)
    assert council.shared_at == dt.datetime(2025, 10, 29, 9, 0, tzinfo=dt.UTC)
    assert council.shared_at - council.due_at > dt.timedelta(days=26)  # 26 days late, and visible
    second = Event.objects.get(reference="CLE-25-0002")
    assert [share.recipient.code for share in second.shares.all()] == ["E08000002"]  # BL9 0EJ is in Bury


def test_xlsx_import(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    path = tmp_path / "incidents.xlsx"
    book.save(path)
    call_command("import", "domestic-abuse", str(path), "--org", "E23000013")
    assert Event.objects.filter(source="import").count() == 2


def test_bad_file_imports_nothing_and_names_line_and_column(cast, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[1][HEADER.index("child_present")] = "maybe"
    rows[2][HEADER.index("occurred_at")] = "last Tuesday"
    rows[2][HEADER.index("postcode")] = "ZZ99 9ZZ"
    before = Event.objects.count(), Share.objects.count()
    with pytest.raises(CommandError) as error:
        call_command(
            "import",
            "domestic-abuse",
            str(write_csv(tmp_path / "bad.csv", rows)),
            "--org",
            "Cleveland Police",
        )
    message = str(error.value)
    assert "Nothing was imported" in message
    assert "line 3, column child_present: must be yes or no" in message
    assert "line 4, column occurred_at" in message
    assert (Event.objects.count(), Share.objects.count()) == before


def test_service_errors_are_reported_by_line_too(cast, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[2][HEADER.index("postcode")] = "ZZ99 9ZZ"
    rows[1][HEADER.index("child_nhs_number")] = "1234567890"
    with pytest.raises(CommandError) as error:
        call_command(
            "import",
            "domestic-abuse",
            str(write_csv(tmp_path / "bad.csv", rows)),
            "--org",
            "Cleveland Police",
        )
    assert "line 3, column child_nhs_number" in str(error.value)
    assert "line 4, column postcode" in str(error.value)
    assert Event.objects.filter(source="import").count() == 0


def test_missing_column_and_wrong_organisation(cast, tmp_path):
    with pytest.raises(CommandError, match="line 1, column risk_level: column is missing"):
        call_command(
            "import",
            "domestic-abuse",
            str(write_csv(tmp_path / "x.csv", [], [c for c in HEADER if c != "risk_level"])),
            "--org",
            "Cleveland Police",
        )
    with pytest.raises(CommandError, match="not a police force"):
        call_command("import", "domestic-abuse", str(write_csv(tmp_path / "y.csv", ROWS)), "--org", "Bury")
