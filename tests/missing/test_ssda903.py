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
from django.utils import timezone

from openmash.accounts.actors import actor_for_user
from openmash.lib.errors import InvalidInput
from openmash.missing import exports
from openmash.missing.models import LegalStatus, MissingEpisode, Placement, PlacementType
from openmash.missing.services import placement_record

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
    _moved_to_the_councils_own_foster_carer(cast)
    out = _export(tmp_path)
    result = subprocess.run(
        [python, str(RUNNER), str(out), "2026", "E06000004"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    issues = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    missing_issues = [issue for issue in issues if issue.get("tables_affected") == "Missing"]
    assert missing_issues == [], json.dumps(missing_issues, indent=1)
    # The placement codes are the placements' own and valid: legal status (144), placement type (146),
    # provider (178); the episodes' dates and reasons agree with each other (148, 388).
    coded = [issue for issue in issues if issue.get("rule_code") in {"144", "146", "148", "178", "388"}]
    assert coded == [], json.dumps(coded, indent=1)
    # The validator reads what was written (a bad code is caught): the check can fail.
    with (out / "missing.csv").open("a") as handle:
        handle.write(f"{csv_child(out)},{csv_dob(out)},X,01/05/2026,02/05/2026\n")
    result = subprocess.run(
        [python, str(RUNNER), str(out), "2026", "E06000004"], capture_output=True, text=True, timeout=600
    )
    bad = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert any(issue.get("tables_affected") == "Missing" for issue in bad), bad


def _moved_to_the_councils_own_foster_carer(cast) -> Placement:
    """Leo leaves Oak House (a private children's home, under a full care order: the cast) for one of the
    council's own foster carers."""
    return placement_record(
        actor=actor_for_user(cast.users["social.worker"]),
        child=cast.people["Leo Marsh"],
        provider=cast.organisations["council"],
        started_on=timezone.localdate() - dt.timedelta(days=5),
        placement_type=PlacementType.FOSTER,
        legal_status=LegalStatus.CARE_ORDER,
    )


def _episodes_csv(out: Path) -> list[dict[str, str]]:
    with (out / "episodes.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_the_episodes_are_the_placements_with_their_own_codes(cast, report_missing, report_found, tmp_path):
    _episodes_in_2026(report_missing, report_found)
    [home] = _episodes_csv(_export(tmp_path / "before"))
    # Oak House: a children's home (K2), privately run (PR4), under a full care order (C2), since 10 June 2024,
    # when Leo started to be looked after (S).
    assert (home["DECOM"], home["RNE"], home["LS"], home["PLACE"], home["PLACE_PROVIDER"]) == (
        "10/06/2024",
        "S",
        "C2",
        "K2",
        "PR4",
    )
    assert home["DEC"] == home["REC"] == "" and home["CIN"] == ""  # not recorded: not guessed
    moved = _moved_to_the_councils_own_foster_carer(cast)
    home, foster = _episodes_csv(_export(tmp_path / "after"))
    moved_on = moved.started_on.strftime("%d/%m/%Y")
    # The home's episode ends the day the foster placement begins, and Leo stays looked after (X1).
    assert (home["DEC"], home["REC"]) == (moved_on, "X1")
    # The council's own foster carer (U6, PR1): a change of placement (P), still open.
    assert (foster["DECOM"], foster["RNE"], foster["LS"], foster["PLACE"], foster["PLACE_PROVIDER"]) == (
        moved_on,
        "P",
        "C2",
        "U6",
        "PR1",
    )
    assert foster["DEC"] == foster["REC"] == ""


def test_a_placement_recorded_without_codes_leaves_them_blank(cast, report_missing, report_found, tmp_path):
    _episodes_in_2026(report_missing, report_found)
    Placement.objects.update(placement_type="", legal_status="", provider_sector="")
    [row] = _episodes_csv(_export(tmp_path))
    assert (row["LS"], row["PLACE"], row["PLACE_PROVIDER"]) == ("", "", "")
    assert row["DECOM"] == "10/06/2024"


def test_the_provider_follows_who_provides_the_placement(cast):
    leo = cast.people["Leo Marsh"]
    stockton = cast.organisations["council"]
    cases = [
        (cast.organisations["unrelated-council"], "", PlacementType.FOSTER, "PR2"),
        (cast.organisations["health"], "", PlacementType.HEALTH_SETTING, "PR3"),
        (cast.organisations["childrens-home"], "voluntary", PlacementType.CHILDRENS_HOME, "PR5"),
        (cast.organisations["childrens-home"], "", PlacementType.CHILDRENS_HOME, ""),
        (stockton, "", PlacementType.WITH_PARENTS, "PR0"),
    ]
    for provider, sector, kind, expected in cases:
        placement = Placement(
            child=leo, council=stockton, provider=provider, provider_sector=sector, placement_type=kind
        )
        assert exports.place_provider(placement) == expected, (provider, kind)


def test_a_placement_code_outside_the_returns_lists_is_refused(cast):
    with pytest.raises(InvalidInput) as refused:
        placement_record(
            actor=actor_for_user(cast.users["social.worker"]),
            child=cast.people["Leo Marsh"],
            provider=cast.organisations["council"],
            started_on=timezone.localdate(),
            placement_type="H5",
            legal_status="X9",
        )
    assert set(refused.value.errors) == {"placement_type", "legal_status"}
    assert Placement.objects.count() == 1


def csv_child(out: Path) -> str:
    with (out / "header.csv").open() as handle:
        return next(csv.DictReader(handle))["CHILD"]


def csv_dob(out: Path) -> str:
    with (out / "header.csv").open() as handle:
        return next(csv.DictReader(handle))["DOB"]


assert sys.version_info >= (3, 12)
