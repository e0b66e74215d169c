"""Importing incidents: real times kept, one incident per reference, errors by line and column, all or nothing."""

import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from openmash.clocks.models import Clock
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
        "2025-10-03T09:00:00+01:00",
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
    # 26 days late for the police, and visible; the council's own day to decide runs from arrival
    # (Thursday 29 October 2025: by the end of Friday, in GMT).
    assert council.shared_at - council.notification_due_at > dt.timedelta(days=26)
    assert council.due_at == dt.datetime(2025, 10, 30, 23, 59, 59, tzinfo=dt.UTC)
    [late] = Clock.objects.filter(subject_type="share", subject_id=str(council.pk))
    assert late.organisation.code == "E23000013" and late.rule == "da-notification"
    assert late.breached_at == council.notification_due_at and late.stopped_at == council.shared_at
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


def import_failure(path, org="Cleveland Police") -> str:
    with pytest.raises(CommandError) as error:
        call_command("import", "domestic-abuse", str(path), "--org", org)
    assert "Nothing was imported" in str(error.value)
    assert Event.objects.filter(reference__startswith="CLE-25-").count() == 0
    return str(error.value)


def with_values(row_index: int, **values) -> list[list[str]]:
    rows = [list(row) for row in ROWS]
    for column, value in values.items():
        rows[row_index][HEADER.index(column)] = value
    return rows


def test_a_row_with_more_values_than_the_header_is_a_problem_not_a_traceback(cast, tmp_path):
    rows = [list(row) for row in ROWS]
    rows[1].append("an extra value")
    message = import_failure(write_csv(tmp_path / "extra.csv", rows))
    assert "line 3, column 16 (after the last named column): this row has 16 values" in message


def test_text_that_is_not_utf8_is_reported_by_line_and_column(cast, tmp_path):
    path = write_csv(tmp_path / "latin1.csv", ROWS)
    data = path.read_bytes().replace(b"Ben", "Bén".encode("latin-1"))
    path.write_bytes(data)
    message = import_failure(path)
    assert "line 3, column child_given_name: is not UTF-8 text" in message
    assert "byte" not in message


def test_every_problem_of_the_file_is_reported_in_one_pass(cast, tmp_path):
    rows = with_values(2, postcode="ZZ99 9ZZ")
    rows[1][HEADER.index("child_present")] = "maybe"
    rows[0][HEADER.index("occurred_at")] = "last Tuesday"
    rows[1][HEADER.index("occurred_at")] = "last Tuesday"
    message = import_failure(write_csv(tmp_path / "bad.csv", rows))
    assert "line 2, column occurred_at" in message
    assert "line 3, column child_present: must be yes or no" in message
    assert "line 4, column postcode" in message


def test_a_header_only_file_says_it_has_no_rows(cast, tmp_path):
    message = import_failure(write_csv(tmp_path / "empty.csv", []))
    assert "the file has a header row but no rows" in message
    assert "missing" not in message


def test_an_xlsx_formula_without_a_saved_value_is_reported_as_a_formula(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    sheet.cell(row=3, column=HEADER.index("summary") + 1, value='=A2&" argument"')
    path = tmp_path / "formula.xlsx"
    book.save(path)
    message = import_failure(path)
    assert "line 3, column summary: is a formula" in message


def test_excel_serial_dates_are_read_as_dates(cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    # 45931.9166667 is 2025-10-01 22:00 (London, summer time); 41699 is 2014-03-01.
    for line in (2, 3):
        sheet.cell(row=line, column=HEADER.index("occurred_at") + 1, value=45931.91666667)
    sheet.cell(row=2, column=HEADER.index("child_date_of_birth") + 1, value=41699)
    path = tmp_path / "serials.xlsx"
    book.save(path)
    call_command("import", "domestic-abuse", str(path), "--org", "Cleveland Police")
    event = Event.objects.get(reference="CLE-25-0001")
    assert event.occurred_at == dt.datetime(2025, 10, 1, 21, 0, tzinfo=dt.UTC)
    ava = event.subjects.get(person__names__given_name="Ava").person
    assert ava.date_of_birth == dt.date(2014, 3, 1)


def test_shared_in_the_future_is_refused(cast, tmp_path):
    rows = with_values(2, shared_at="2030-01-01T09:00:00")
    message = import_failure(write_csv(tmp_path / "future.csv", rows))
    assert "line 4, column shared_at: 2030-01-01T09:00:00 is in the future" in message


def test_a_london_time_in_the_spring_gap_is_refused_and_the_autumn_hour_is_summer_time(cast, tmp_path):
    rows = with_values(2, occurred_at="2026-03-29T01:30:00", reported_at="2026-03-29T03:00:00")
    message = import_failure(write_csv(tmp_path / "gap.csv", rows))
    assert "line 4, column occurred_at: 2026-03-29T01:30:00: That time did not happen in London" in message

    rows = with_values(
        2,
        occurred_at="2025-10-26T01:30:00",
        reported_at="2025-10-26T03:00:00",
        shared_at="2025-10-26T09:00:00",
    )
    call_command(
        "import", "domestic-abuse", str(write_csv(tmp_path / "fold.csv", rows)), "--org", "Cleveland Police"
    )
    # The first 01:30 of that night, in summer time: 00:30 UTC.
    assert Event.objects.get(reference="CLE-25-0002").occurred_at == dt.datetime(
        2025, 10, 26, 0, 30, tzinfo=dt.UTC
    )


def test_implausible_dates_are_refused(cast, tmp_path):
    rows = with_values(2, occurred_at="1900-06-01T10:00:00", reported_at="1900-06-01T11:00:00")
    rows[0][HEADER.index("child_date_of_birth")] = "0001-01-01"
    rows[1][HEADER.index("child_date_of_birth")] = "2025-12-01"  # after the incident of 1 October 2025
    message = import_failure(write_csv(tmp_path / "dates.csv", rows))
    assert "line 4, column occurred_at: 1900-06-01T10:00:00 is before 2000: check the year" in message
    assert "line 2, column child_date_of_birth: 0001-01-01 is before 1900: check the year" in message
    assert "line 3, column child_date_of_birth: 2025-12-01 is after the incident (2025-10-01)" in message
