"""openmash generate --scale national: every council with postcodes gets its share of the national volumes,
through the history imports, the same for a seed."""

import datetime as dt

import pytest
from django.db import connection  # noqa: F401  (the skip condition's)

from openmash.demo.national import NationalGenerator, generate_national, postcodes_by_council, year_problem
from openmash.events.models import EventKind, EventSubject
from openmash.missing.models import MissingEpisode
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.services import reference_load
from openmash.sharing.models import ImportedAs, Share

pytestmark = pytest.mark.django_db


def test_every_council_has_a_share_of_the_national_volumes():
    reference_load()
    postcodes = postcodes_by_council()
    councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
    assert set(postcodes) == set(councils.values_list("pk", flat=True))
    total = sum(len(found) for found in postcodes.values())
    generator = NationalGenerator(year=2015, seed=1, fraction=1.0)
    # Rounded up or down by chance, the areas' whole numbers add up to about the national figure.
    volumes = [generator.volume("missing_episodes", len(found) / total) for found in postcodes.values()]
    assert abs(sum(volumes) - 87_000) < 3 * len(volumes) ** 0.5


def test_a_small_part_of_the_year_goes_in_as_history_for_every_force():
    reference_load()
    summary = generate_national(year=2015, seed=3, fraction=0.0002)
    incidents = summary.counts["domestic_abuse_notifications"]
    assert summary.forces == Organisation.objects.filter(kind=OrganisationKind.POLICE).count()
    assert incidents > 200
    shares = Share.objects.filter(
        event__kind=EventKind.DOMESTIC_ABUSE, recipient__kind=OrganisationKind.COUNCIL
    )
    assert shares.count() == incidents
    assert not shares.exclude(imported_as=ImportedAs.HISTORY).exists()
    assert MissingEpisode.objects.count() == summary.counts["missing_episodes"]
    assert summary.rate > 0


def test_the_national_year_must_be_over_and_the_fraction_a_share_of_it():
    now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    assert year_problem(2025, 1.0, now) == ""
    assert "must be over" in year_problem(2026, 1.0, now)
    assert year_problem(2026, 0.1, now) == ""  # its first 36.5 days are over
    assert "must be over" in year_problem(1999, 0.1, now)
    assert "--fraction" in year_problem(2015, 0, now)


def _drawn(seed: int, fraction: float, forces: list[Organisation]) -> tuple[set, set]:
    """The incidents' and episodes' references and times a generator draws for ``forces``, in that order,
    without importing them."""
    generator = NationalGenerator(year=2015, seed=seed, fraction=fraction)
    incidents: set[tuple[str, str]] = set()
    episodes: set[tuple[str, str]] = set()
    for force in forces:
        drawn_incidents, drawn_episodes, _councils = generator.force_rows(force)
        incidents |= {(row["police_reference"], row["child_family_name"]) for row in drawn_incidents}
        episodes |= {(row["reference"], row["child_family_name"]) for row in drawn_episodes}
    return incidents, episodes


def test_each_forces_records_are_the_same_for_a_seed_in_any_order():
    reference_load()
    forces = list(Organisation.objects.filter(kind=OrganisationKind.POLICE).prefetch_related("covers"))
    forwards = _drawn(5, 0.0002, forces)
    assert forwards == _drawn(5, 0.0002, forces[::-1])
    assert forwards != _drawn(6, 0.0002, forces)
    assert len(forwards[0]) > 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="forces imported side by side: PostgreSQL")
def test_forces_imported_in_two_processes_write_what_a_seed_draws():
    reference_load()
    summary = generate_national(year=2015, seed=5, fraction=0.0002, workers=2)
    forces = list(Organisation.objects.filter(kind=OrganisationKind.POLICE).prefetch_related("covers"))
    incidents, episodes = _drawn(5, 0.0002, forces)
    assert summary.forces == len(forces)
    assert summary.counts["domestic_abuse_notifications"] == len(incidents)
    written = set(
        EventSubject.objects.filter(event__kind=EventKind.DOMESTIC_ABUSE).values_list(
            "event__reference", "person__family_name"
        )
    )
    assert written == incidents
    assert set(MissingEpisode.objects.values_list("reference", "child__family_name")) == episodes


def test_every_records_times_are_in_order_across_both_clock_changes():
    reference_load()
    generator = NationalGenerator(year=2015, seed=7, fraction=1.0)
    # The smallest force with councils: a whole year of its records, drawn and not imported.
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE).prefetch_related("covers")
    force = min((force for force in forces if force.covers.exists()), key=lambda force: force.covers.count())
    incidents, episodes, _councils = generator.force_rows(force)
    at = dt.datetime.fromisoformat
    for row in incidents:
        assert at(row["occurred_at"]) <= at(row["reported_at"]) <= at(row["shared_at"]), row
    for row in episodes:
        assert at(row["last_seen_at"]) <= at(row["reported_at"]) <= at(row["council_told_at"]), row
        assert at(row["reported_at"]) <= at(row["found_at"]) <= at(row["return_interview_offered_at"]), row
    # Both of the year's clock changes fall inside it (October 2015 and March 2016).
    months = {at(row["reported_at"]).month for row in incidents}
    assert {10, 3} <= months


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="forces imported side by side: PostgreSQL")
def test_a_force_that_fails_in_its_process_stops_the_run_with_its_error(monkeypatch):
    reference_load()

    def fails(self, force):
        raise RuntimeError(f"{force.code} could not be imported")

    # Forked processes inherit the replaced method; the run must end with the error, not wait for ever.
    monkeypatch.setattr(NationalGenerator, "force_year", fails)
    with pytest.raises(RuntimeError, match="could not be imported"):
        generate_national(year=2015, seed=5, fraction=0.0002, workers=2)
