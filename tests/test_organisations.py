"""Reference organisations in the database: loading is idempotent, and every area in the 2016 findings resolves."""

import pytest
from django.core.management import call_command

from openmash.organisations.models import District, Organisation, OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.organisations.services import reference_load

# (council, its GSS code, the police force covering it): ../shared/domain.md section 1.
FINDINGS = [
    ("Bury", "E08000002", "Greater Manchester Police"),
    ("Medway", "E06000035", "Kent Police"),
    ("Wirral", "E08000015", "Merseyside Police"),
    ("Slough", "E06000039", "Thames Valley Police"),
    ("Bromley", "E09000006", "Metropolitan Police Service"),
    ("Peterborough", "E06000031", "Cambridgeshire Constabulary"),
    ("West Sussex", "E10000032", "Sussex Police"),
    ("Dorset", "E06000059", "Dorset Police"),
    ("Doncaster", "E08000017", "South Yorkshire Police"),
    ("Southend-on-Sea", "E06000033", "Essex Police"),
    ("Torbay", "E06000027", "Devon and Cornwall Police"),
    ("Wandsworth", "E09000032", "Metropolitan Police Service"),
    ("Stockton-on-Tees", "E06000004", "Cleveland Police"),
]


@pytest.mark.parametrize(("name", "code", "force"), FINDINGS)
def test_findings_areas_resolve_by_name_and_code(db, name, code, force):
    by_name = organisation_resolve(name)
    by_code = organisation_resolve(code)
    assert by_name == by_code
    assert by_name.kind == OrganisationKind.COUNCIL
    assert force in {f.name for f in by_name.police_forces.all()}


def test_counts(db):
    assert Organisation.objects.filter(kind=OrganisationKind.COUNCIL, nation="england").count() == 153
    assert Organisation.objects.filter(kind=OrganisationKind.COUNCIL, nation="wales").count() == 22
    assert Organisation.objects.filter(kind=OrganisationKind.POLICE).count() == 43
    assert Organisation.objects.filter(kind=OrganisationKind.NHS_REGION).count() == 7
    assert District.objects.exists()


def test_loading_twice_changes_nothing(db):
    before = Organisation.objects.count(), District.objects.count()
    first = reference_load()
    second = reference_load()
    assert first == second
    assert (Organisation.objects.count(), District.objects.count()) == before


def test_load_reference_command(db, capsys):
    call_command("load_reference")
    out = capsys.readouterr().out
    assert "Loaded 175 councils" in out and "43 police forces" in out


@pytest.mark.parametrize("text", ["", "Nowhere", "E99999999"])
def test_unknown_organisation_is_a_clear_error(db, text):
    with pytest.raises(UnknownOrganisation):
        organisation_resolve(text)


def test_every_council_is_covered_by_exactly_one_force(db):
    for council in Organisation.objects.filter(kind=OrganisationKind.COUNCIL).prefetch_related(
        "police_forces"
    ):
        assert len(council.police_forces.all()) == 1, council.name
