"""The missing-episode files of the looked-after children return, checked with the DfE-community validator
(csc-validator-be-903) in its own environment (scripts/validator-903.sh; make test requires it)."""

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from openmash.missing.models import MissingEpisode

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("validate_903.py")


def _validator_python() -> str | None:
    """The validator's Python: OPENMASH_VALIDATOR_903 (make test sets it, and then it must exist), else
    .venv-903 beside the checkout when it is there."""
    wanted = os.environ.get("OPENMASH_VALIDATOR_903")
    if wanted:
        return wanted
    default = ROOT / ".venv-903" / "bin" / "python"
    return str(default) if default.exists() else None


def _episodes_in_2026(report_missing, report_found) -> list[MissingEpisode]:
    # Collection year 2026: 1 April 2026 to 31 March 2027. Two episodes, one away, one still open.
    first = report_found(report_missing(hours_ago=24 * 30), hours_ago=24 * 29)
    away = report_found(report_missing(hours_ago=24 * 10, category="A"), hours_ago=24 * 9)
    still = report_missing(hours_ago=3)
    return [first, away, still]


def _export(tmp_path: Path, year: int = 2026) -> Path:
    out = tmp_path / "ssda903"
    call_command(
        "export", "ssda903-missing", "--council", "E06000004", "--year", str(year), "--out", str(out)
    )
    return out


def test_the_export_writes_the_three_files_in_the_returns_layouts(
    cast, report_missing, report_found, tmp_path
):
    episodes = _episodes_in_2026(report_missing, report_found)
    out = _export(tmp_path)
    with (out / "missing.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
    assert [row["MISSING"] for row in rows] == ["M", "A", "M"]
    assert rows[0]["DOB"] == cast.people["Leo Marsh"].date_of_birth.strftime("%d/%m/%Y")
    assert rows[2]["MIS_END"] == ""  # still missing
    start = episodes[0].last_seen_at.astimezone(dt.UTC)
    assert rows[0]["MIS_START"].count("/") == 2 and rows[0]["MIS_START"][-4:] == str(start.year)
    with (out / "header.csv").open() as handle:
        [header] = list(csv.DictReader(handle))
    assert header["CHILD"] == rows[0]["CHILD"] and header["SEX"] in ("1", "2")
    # Another year has none of them.
    empty = _export(tmp_path / "other", 2024)
    assert (empty / "missing.csv").read_text().strip() == "CHILD,DOB,MISSING,MIS_START,MIS_END"


def test_the_validator_finds_no_error_on_the_missing_table(cast, report_missing, report_found, tmp_path):
    python = _validator_python()
    if python is None:
        pytest.skip("the SSDA903 validator is not installed: run scripts/validator-903.sh (make test does)")
    _episodes_in_2026(report_missing, report_found)
    out = _export(tmp_path)
    result = subprocess.run(
        [python, str(RUNNER), str(out), "2026", "E06000004"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    issues = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    missing_issues = [issue for issue in issues if issue.get("tables_affected") == "Missing"]
    assert missing_issues == [], json.dumps(missing_issues, indent=1)
    # The validator reads what was written (a bad code is caught): the check can fail.
    with (out / "missing.csv").open("a") as handle:
        handle.write(f"{csv_child(out)},{csv_dob(out)},X,01/05/2026,02/05/2026\n")
    result = subprocess.run(
        [python, str(RUNNER), str(out), "2026", "E06000004"], capture_output=True, text=True, timeout=600
    )
    bad = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert any(issue.get("tables_affected") == "Missing" for issue in bad), bad


def csv_child(out: Path) -> str:
    with (out / "header.csv").open() as handle:
        return next(csv.DictReader(handle))["CHILD"]


def csv_dob(out: Path) -> str:
    with (out / "header.csv").open() as handle:
        return next(csv.DictReader(handle))["DOB"]


assert sys.version_info >= (3, 12)
