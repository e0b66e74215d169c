"""The match index in the database: intake finds the person among those recorded, by the candidate keys."""

import datetime as dt

import pytest
from django.core.management import call_command

from openmash.matching.features import match_record
from openmash.matching.model import best_matches
from openmash.matching.models import MatchKey, MatchProfile
from openmash.matching.selectors import candidates
from openmash.people.matching import index_people
from openmash.people.models import Person


@pytest.fixture
def amelia(cast):
    return cast.people["Amelia Hart"]


def test_indexed_people_are_found_by_an_arriving_record_with_typing_errors(cast, amelia):
    assert index_people(Person.objects.values_list("pk", flat=True)) == Person.objects.count()
    born = amelia.date_of_birth
    typed = match_record(
        "Millie", amelia.family_name, born + dt.timedelta(days=1), "F", []
    )  # a typo in the day
    found = dict(candidates(typed))
    assert amelia.pk in found
    assert best_matches(typed, found.items())[0][0] == amelia.pk


def test_reindexing_replaces_a_persons_keys(cast, amelia):
    index_people([amelia.pk])
    before = set(MatchKey.objects.filter(person_id=amelia.pk).values_list("key", flat=True))
    Person.objects.filter(pk=amelia.pk).update(date_of_birth=dt.date(2011, 1, 20))
    index_people([amelia.pk])
    after = set(MatchKey.objects.filter(person_id=amelia.pk).values_list("key", flat=True))
    # The date of birth is a key only with a first letter of a name (matching.keys).
    assert f"d:2011-01-20:f{amelia.family_name[0].lower()}" in after and before != after
    assert all(key.startswith("d:2011-01-20:") for key in after if key.startswith("d:"))
    assert MatchProfile.objects.get(person_id=amelia.pk).features["dob"] == "2011-01-20"


def test_a_record_sharing_no_key_finds_no_one(cast):
    index_people(Person.objects.values_list("pk", flat=True))
    assert candidates(match_record("Zebedee", "Quartermaine", dt.date(1990, 6, 6), "M", ["ZZ9 9ZZ"])) == []


def test_index_and_evaluate_commands(cast, capsys):
    call_command("matching", "index")
    assert MatchProfile.objects.count() == Person.objects.count()
    call_command("matching", "evaluate", "--families", "400", "--seed", "9")
    out = capsys.readouterr().out
    assert "precision" in out and "sent to review" in out


def test_a_date_of_birth_finds_only_people_with_a_first_letter_in_common(cast, amelia):
    """A shared date of birth alone is not enough to be scored (matching.keys): a name's first letter must
    agree too, or the names be typed the other way round."""
    index_people(Person.objects.values_list("pk", flat=True))
    born = amelia.date_of_birth
    stranger = match_record("Zebedee", "Quartermaine", born, "M", [])
    assert amelia.pk not in dict(candidates(stranger))
    # A nickname of another letter is still found by the family name's letter, and names typed the other way
    # round by the letters crossed.
    assert amelia.pk in dict(candidates(match_record("Millie", amelia.family_name, born)))
    assert amelia.pk in dict(candidates(match_record(amelia.family_name, amelia.given_name, born)))
    # A family name changed and a given name typed from its first letter: found by nothing but the date.
    assert amelia.pk not in dict(candidates(match_record("Xmelia", "Quartermaine", born)))
