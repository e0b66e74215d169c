"""Person search through the trigram index (people migration 0005), on whichever database the suite runs on:
names normalised (case, accents, hyphens, apostrophes, either order), results ranked (the identifier, then the
name and date of birth), names alike found with a date of birth, the index current on every write path, and
never a person the searcher may not see."""

import datetime as dt

import pytest
from django.db import connection

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind, SubjectRole
from openmash.lib.names import search_words
from openmash.matching.models import MatchProfile
from openmash.people.models import IdentifierScheme, Person, PersonName
from openmash.people.selectors import SearchCriteria, _names_containing, person_search
from openmash.people.services import IdentifierInput, person_birth_record, person_create
from openmash.recording.services import EventInput, PersonInput, event_record

BIRTHDAY = dt.date(2015, 3, 4)
NHS = "9434765919"  # a valid check digit


@pytest.fixture
def worker(cast):
    return actor_for_user(cast.users["social.worker"])


@pytest.fixture
def people(worker):
    def create(given, family, born=BIRTHDAY, **more):
        return person_create(actor=worker, given_name=given, family_name=family, date_of_birth=born, **more)

    return {
        "zoe": create("Zoë", "O'Neil-Hart", aliases=[("Zoe", "Hart")]),
        "amelia": create("Amelia", "Smith"),
        "smithers": create("Amelia", "Smithers"),
        "older": create("Amelia", "Smith", born=dt.date(2012, 1, 9)),
        "ellen": create(
            "Ellen",
            "Marsh",
            born=dt.date(2013, 6, 6),
            identifiers_given=[IdentifierInput(IdentifierScheme.NHS_NUMBER, NHS)],
        ),
    }


def found(actor, **criteria):
    return [person.full_name for person in person_search(actor=actor, criteria=SearchCriteria(**criteria))]


def ids(actor, **criteria):
    return [person.pk for person in person_search(actor=actor, criteria=SearchCriteria(**criteria))]


@pytest.mark.parametrize(
    "typed",
    [
        "Zoë O'Neil-Hart",
        "zoe oneil hart",
        "ZOE O\u2019NEIL HART",
        "O'Neil-Hart Zoë",
        "Hart Zoe",
        "neil",
        "zoe o'neil",
    ],
)
def test_names_are_found_whatever_the_case_accents_hyphens_and_order(worker, people, typed):
    assert people["zoe"].pk in ids(worker, name=typed)


def test_a_different_name_does_not_hold_the_words(worker, people):
    holding = _names_containing(search_words("Zoe Harte")).values_list("person_id", flat=True)
    assert people["zoe"].pk not in holding
    assert ids(worker, name="Smith") and people["zoe"].pk not in ids(worker, name="Smith")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite compares likeness with a date of birth only"
)
def test_on_postgresql_a_name_alike_is_found_without_a_date_of_birth_when_nothing_holds_the_words(
    worker, people
):
    assert ids(worker, name="Zoe Harte")[0] == people["zoe"].pk  # "zoe hart", her alias, the most alike


def test_the_exact_name_and_date_of_birth_come_first(worker, people):
    # Both Amelias born that day hold "amelia" and "smith"; the exact name ranks before "Smithers".
    assert ids(worker, name="Amelia Smith", date_of_birth=BIRTHDAY)[:2] == [
        people["amelia"].pk,
        people["smithers"].pk,
    ]
    # Either order: both exact "Amelia Smith"s before Smithers, whatever their birthdays.
    ranked = ids(worker, name="smith amelia")
    assert set(ranked[:2]) == {people["amelia"].pk, people["older"].pk}
    assert ranked.index(people["smithers"].pk) == 2


def test_the_exact_identifier_comes_first(worker, people):
    ranked = ids(worker, name="Amelia Smith", identifier="943 476 5919")
    assert ranked[0] == people["ellen"].pk  # her identifier, though not her name
    assert set(ranked[1:3]) == {people["amelia"].pk, people["older"].pk}


def test_a_name_alike_is_found_with_the_date_of_birth(worker, people):
    ranked = ids(worker, name="Amelia Smyth", date_of_birth=BIRTHDAY)
    assert ranked and ranked[0] == people["amelia"].pk
    assert people["older"].pk not in ranked  # another birthday


def test_a_child_recorded_through_the_direct_inserts_is_found_at_once(cast, worker):
    officer = actor_for_user(cast.users["police.officer"])
    event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-7001",
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=dt.UTC),
            reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=dt.UTC),
            postcode="TS18 1AA",
            risk_level="standard",
            summary="Argument",
            people=[
                PersonInput(
                    role=SubjectRole.CHILD,
                    given_name="Éloïse",
                    family_name="Ní Bhriain",
                    date_of_birth=dt.date(2016, 2, 2),
                    details={"present": True},
                )
            ],
        ),
    )
    name = PersonName.objects.get(family_name="Ní Bhriain")
    assert name.search_key == "eloise nibhriain"
    assert found(officer, name="eloise bhriain") == ["Éloïse Ní Bhriain"]
    assert found(officer, name="Bhriain Eloise", date_of_birth=dt.date(2016, 2, 2)) == ["Éloïse Ní Bhriain"]


def test_the_index_follows_a_name_changed_or_removed(worker, people):
    name = PersonName.objects.get(person=people["smithers"])
    PersonName.objects.filter(pk=name.pk).update(family_name="Jones", search_key="amelia jones")
    assert people["smithers"].pk in ids(worker, name="Amelia Jones")
    assert people["smithers"].pk not in ids(worker, name="Smithers")
    PersonName.objects.filter(pk=name.pk).delete()
    assert people["smithers"].pk not in ids(worker, name="Amelia Jones")


def test_search_never_reveals_a_record_the_searcher_may_not_see(cast, people):
    bury = actor_for_user(cast.users["bury.social.worker"])
    assert found(bury, name="Amelia Smith", date_of_birth=BIRTHDAY) == []
    assert found(bury, name="Amelia Smyth", date_of_birth=BIRTHDAY) == []  # nor by likeness
    assert found(bury, identifier=NHS) == []  # knowing an identifier is no reason to see
    assert found(bury, name="Zoe", identifier=NHS) == []


def test_the_index_exists_on_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'people_personname'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "people_personname_search_insert",
                "people_personname_search_update",
                "people_personname_search_delete",
            }
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'person_name_search_trgm_idx'")
            assert "gin_trgm_ops" in cursor.fetchone()[0]


def test_a_birth_recorded_with_a_name_is_found_by_that_name_at_once(cast, worker):
    unborn = Person.objects.get(pk=cast.people["unborn"].pk)
    # Before: no name holds "Ava" (PostgreSQL may still offer the unborn "Hart" among names alike).
    assert ids(worker, name="Ava Hart") != [unborn.pk]
    person_birth_record(
        actor=worker, person=unborn, date_of_birth=dt.date(2026, 11, 20), given_name="Ava", family_name="Hart"
    )
    # Found by the new name, in either order and by any part, and by the name with the date of birth.
    assert ids(worker, name="Ava Hart") == [unborn.pk]
    assert unborn.pk in ids(worker, name="hart ava")
    assert ids(worker, name="Ava Hart", date_of_birth=dt.date(2026, 11, 20))[0] == unborn.pk
    legal = PersonName.objects.get(person=unborn, kind="legal")
    assert legal.search_key == "ava hart"
    # The match index compares the born child's name and date of birth, not the unborn record's.
    features = MatchProfile.objects.get(person_id=unborn.pk).features
    assert "2026-11-20" in str(features) and "ava" in str(features).lower()
