"""Intake's candidates when a key is held by very many people (a block of flats' postcode and a busy year of
birth): the broad key is left out when a narrower one finds the person, and when every key of a record is
broad the narrowest of them is kept, however many hold each."""

import datetime as dt
import uuid

import pytest

from openmash.matching import selectors
from openmash.matching.features import match_record, to_json
from openmash.matching.keys import stored_keys
from openmash.matching.models import MatchKey, MatchProfile

pytestmark = pytest.mark.django_db


def _index(*records):
    people = []
    for record in records:
        person = uuid.uuid4()
        MatchProfile.objects.create(person_id=person, features=to_json(record))
        MatchKey.objects.bulk_create(MatchKey(person_id=person, key=key) for key in stored_keys(record))
        people.append(person)
    return people


def test_a_broad_key_is_left_out_when_a_narrower_one_finds_the_person(monkeypatch):
    monkeypatch.setattr(selectors, "BROAD_KEY", 3)
    born = dt.date(2015, 3, 4)
    # Six neighbours at one postcode born the same year: the postcode's key is broad (6 > 3).
    neighbours = _index(
        *(
            match_record(name, family, dt.date(2015, month, 9), "F", ["TS18 1AA"])
            for name, family, month in [
                ("Zara", "Quinn", 1),
                ("Yusuf", "Ng", 2),
                ("Xena", "Obi", 5),
                ("Wanda", "Pike", 6),
                ("Vera", "Lund", 7),
                ("Ursula", "Kerr", 8),
            ]
        )
    )
    (amelia,) = _index(match_record("Amelia", "Hart", born, "F", ["TS18 1AA"]))
    arriving = match_record("Amelia", "Hart", born, "F", ["TS18 1AA"])
    (found,) = selectors.candidates_of_many([arriving])
    assert amelia in {person for person, _record in found}
    assert not set(neighbours) & {person for person, _record in found}
    # With the key not broad, the neighbours are candidates too: what left them out was their number.
    monkeypatch.setattr(selectors, "BROAD_KEY", 10)
    (found,) = selectors.candidates_of_many([arriving])
    assert set(neighbours) <= {person for person, _record in found}


def test_a_record_whose_every_key_is_broad_keeps_its_narrowest(monkeypatch):
    monkeypatch.setattr(selectors, "BROAD_KEY", 1)
    # Known only by a postcode and a year of birth: the record's only keys are its postcodes' with the year.
    busy = _index(*(match_record("", "", dt.date(2015, 1, day), None, ["TS18 1AA"]) for day in (1, 2, 3, 4)))
    quiet = _index(*(match_record("", "", dt.date(2015, 1, day), None, ["TS18 2BB"]) for day in (5, 6)))
    arriving = match_record("", "", dt.date(2015, 7, 20), None, ["TS18 1AA", "TS18 2BB"])
    # Of the keys it looks up, only its postcodes' with the year are held by anyone.
    assert {"p:TS181AA:2015", "p:TS182BB:2015"} <= selectors.probe_keys(arriving)
    (found,) = selectors.candidates_of_many([arriving])
    # Both keys are broad (4 and 2 people, above 1): the one held by fewer is kept, counted in full.
    assert {person for person, _record in found} == set(quiet)
    assert not set(busy) & {person for person, _record in found}
