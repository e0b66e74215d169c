"""`openmash people dedupe` puts likely duplicates to an agency that may see both; `openmash people export`
writes exactly the people an organisation may see."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.test import override_settings

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.events.models import EventKind
from openmash.matching.features import match_record
from openmash.matching.model import score
from openmash.merging.dedupe import worth_asking
from openmash.merging.models import KeptApart, MatchReview, ReviewSource
from openmash.people.matching import index_people
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


def _millie(cast):
    """Amelia typed as "Amelie" at an incident recorded with matching at intake off: a duplicate record."""
    amelia = cast.people["Amelia Hart"]
    with override_settings(MATCHING_AT_INTAKE=False):
        _record_amelie(cast, amelia)
    return amelia, Person.objects.get(given_name="Amelie")


def _record_amelie(cast, amelia):
    event_record(
        actor=actor_for_user(cast.users["police.ppu"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-7002",
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=LONDON),
            risk_level="medium",
            postcode="TS18 1AA",
            people=[PersonInput(given_name="Amelie", family_name="Hart", date_of_birth=amelia.date_of_birth)],
        ),
    )


def test_dedupe_puts_a_likely_pair_to_the_council_that_may_see_both(cast):
    amelia, amelie = _millie(cast)
    index_people(Person.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("people", "dedupe", "--area", "Stockton-on-Tees", stdout=out)
    review = MatchReview.objects.get(arriving=amelie, candidate=amelia)
    assert review.organisation == cast.organisations["council"] and review.source == ReviewSource.DEDUPE
    assert "put to review" in out.getvalue()
    # Run again: the question is already waiting, so it is not asked twice.
    call_command("people", "dedupe", "--area", "Stockton-on-Tees", stdout=io.StringIO())
    assert MatchReview.objects.filter(arriving=amelie, candidate=amelia).count() == 1


def test_dedupe_of_everyone_asks_the_agency_of_the_earlier_record_that_may_see_both(cast):
    amelia, amelie = _millie(cast)
    index_people(Person.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("people", "dedupe", stdout=out)
    # Amelia was recorded by the council, which received the police's incident naming Amelie: it sees both.
    review = MatchReview.objects.get(arriving=amelie, candidate=amelia)
    assert review.organisation == cast.organisations["council"]
    assert review.comparisons and 0 < review.probability <= 1


def test_dedupe_does_not_ask_again_about_records_kept_apart(cast):
    amelia, amelie = _millie(cast)
    index_people(Person.objects.values_list("pk", flat=True))
    first, second = sorted((amelia.pk, amelie.pk), key=str)
    KeptApart.objects.create(
        first_id=first, second_id=second, organisation=cast.organisations["council"], reason="Cousins"
    )
    call_command("people", "dedupe", "--area", "Stockton-on-Tees", stdout=io.StringIO())
    assert not MatchReview.objects.filter(arriving=amelie, candidate=amelia).exists()


def test_export_writes_the_people_the_organisation_may_see_and_no_one_else(cast, tmp_path):
    _millie(cast)
    out = tmp_path / "people.csv"
    call_command("people", "export", "--org", "Cleveland Police", "--out", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "nhs_number",
        "upn",
        "references",
    ]
    amelie = next(row for row in rows if row["given_name"] == "Amelie")
    assert "CLE-26-7002" in amelie["references"].split(";")
    # Bury's social worker's council may see none of Stockton's children.
    call_command("people", "export", "--org", "Bury", "--out", str(out), stdout=io.StringIO())
    bury = list(csv.DictReader(out.open()))
    assert not any(row["family_name"] == "Hart" for row in bury)
    assert AuditEntry.objects.filter(action="export", object_type="people").count() == 2


def test_the_batch_asks_about_likely_duplicates_not_twins_siblings_or_namesakes():
    """``merging.dedupe.worth_asking``: across an area, recorded twins (another given name, the same date of
    birth and home) and namesakes born years apart are two people already; a typed-again record is asked."""
    born = dt.date(2016, 5, 14)
    ava = match_record("Ava", "Smith", born, "F", ["TS18 1AA"])
    twin = match_record("Isla", "Smith", born, "F", ["TS18 1AA"])
    typed_again = match_record("Eva", "Smith", dt.date(2016, 5, 15), None, ["TS18 1AA"])
    namesake = match_record("Ava", "Smith", dt.date(2018, 9, 14), "F", ["TS18 1AA"])
    swapped_strangers = match_record("Smith", "Ava", dt.date(2009, 1, 2), "F", [])
    assert worth_asking(score(ava, typed_again))
    assert not worth_asking(score(ava, twin))
    assert not worth_asking(score(ava, namesake))
    assert not worth_asking(score(ava, swapped_strangers))
    assert worth_asking(score(ava, match_record("Ava", "Smith", born, "F", [])))
