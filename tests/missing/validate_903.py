"""Run by the SSDA903 validator's own Python (scripts/validator-903.sh), not by pytest: validate a directory of
header.csv, episodes.csv and missing.csv with csc-validator-be-903 and print every error as JSON lines.

    .venv-903/bin/python tests/missing/validate_903.py DIR YEAR LA_CODE

YEAR is the year the collection starts (1 April), as `openmash export ssda903-missing --year` takes it.
"""

import importlib
import json
import sys
from pathlib import Path

from lac_validator.lac_validator import LacValidator, create_issue_df
from lac_validator.report import Report
from lac_validator.utils import process_uploaded_files


def main(directory: str, year: str, council: str) -> None:
    start = int(year)
    registry = importlib.import_module(f"lac_validator.rules.lac{start}_{(start + 1) % 100:02d}").registry
    paths = [str(Path(directory) / name) for name in ("header.csv", "episodes.csv", "missing.csv")]
    codes = [str(code) for code in registry]
    # Some rules change the tables they read in place (361 and 362 fill the Episodes table's blank end dates with
    # the year's end), and later rules read the changed tables (575 then takes every open placement as ended and
    # every child still missing as an error). So each rule about the Missing table runs alone on a fresh copy of
    # the files, and the rest together on another.
    alone = [str(code) for code, rule in registry.items() if "Missing" in rule.tables]
    groups = [[code for code in codes if code not in alone]] + [[code] for code in alone]
    for selected in groups:
        validator = LacValidator(
            metadata={"collectionYear": str(start + 1), "localAuthority": council},
            files=process_uploaded_files({"This year": paths}),
            registry=registry,
            selected_rules=selected,
        )
        report = Report(validator.ds_results, registry)
        flagged = [column for column in report.report.columns if column.startswith("ERR_")]
        if not flagged or not report.report[flagged].fillna(False).astype(bool).any().any():
            continue  # no error at all (create_issue_df cannot build an empty table)
        issues = create_issue_df(report.report, report.error_report)
        for row in issues.to_dict(orient="records"):
            print(json.dumps({key: str(value) for key, value in row.items()}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
