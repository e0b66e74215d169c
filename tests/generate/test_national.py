"""openmash generate --scale national: every council with postcodes gets its share of the national volumes,
through the history imports, the same for a seed."""

import datetime as dt

import pytest

from openmash.demo.national import NationalGenerator, generate_national, postcodes_by_council, year_problem
from openmash.events.models import EventKind
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
