"""Writes of organisations: the shipped reference data and locally created organisations."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from openmash.organisations.models import District, Nation, Organisation, OrganisationKind
from openmash.organisations.postcodes import forget_councils
from openmash.organisations.selectors import forget_schools

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class ReferenceLoadResult:
    councils: int
    districts: int
    police_forces: int
    nhs_regions: int
    integrated_care_boards: int


def _upsert(*, code: str, name: str, kind: str, **fields: object) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "is_reference": True, **fields}
    )
    return organisation


@transaction.atomic
def reference_load() -> ReferenceLoadResult:
    """Load or refresh the shipped reference organisations. Safe to run any number of times."""
    councils = {
        row["gss_code"]: _upsert(
            code=row["gss_code"],
            name=row["name"],
            kind=OrganisationKind.COUNCIL,
            nation=row["nation"] or Nation.ENGLAND,
            la_number=row["la_number"],
            council_kind=row["kind"],
        )
        for row in _rows("councils.csv")
    }
    districts = 0
    for row in _rows("districts.csv"):
        District.objects.update_or_create(
            gss_code=row["gss_code"],
            defaults={"name": row["name"], "council": councils[row["county_gss_code"]]},
        )
        districts += 1
    forces = {
        row["gss_code"]: _upsert(
            code=row["gss_code"], name=row["name"], kind=OrganisationKind.POLICE, nation=row["nation"]
        )
        for row in _rows("police_forces.csv")
    }
    coverage: dict[str, list[Organisation]] = {code: [] for code in forces}
    for row in _rows("police_force_councils.csv"):
        coverage[row["police_gss_code"]].append(councils[row["council_gss_code"]])
    for code, covered in coverage.items():
        forces[code].covers.set(covered)
    regions = {
        row["code"]: _upsert(code=row["code"], name=row["name"], kind=OrganisationKind.NHS_REGION)
        for row in _rows("nhs_regions.csv")
    }
    boards = 0
    for row in _rows("integrated_care_boards.csv"):
        _upsert(
            code=row["gss_code"],
            name=row["name"],
            kind=OrganisationKind.INTEGRATED_CARE_BOARD,
            parent=regions[row["region_code"]],
        )
        boards += 1
    # This process's remembered councils and schools; other processes forget within a minute.
    forget_councils()
    forget_schools()
    return ReferenceLoadResult(
        councils=len(councils),
        districts=districts,
        police_forces=len(forces),
        nhs_regions=len(regions),
        integrated_care_boards=boards,
    )


def organisation_create(
    *, code: str, name: str, kind: str, parent: Organisation | None = None, requires_two_factor: bool = True
) -> Organisation:
    organisation = Organisation(
        code=code, name=name, kind=kind, parent=parent, requires_two_factor=requires_two_factor
    )
    organisation.full_clean()
    organisation.save()
    return organisation
