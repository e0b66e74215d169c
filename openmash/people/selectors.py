"""Reads of people. Every read goes through the policy and is written to the audit trail.

``visible_people`` and ``reason_to_see`` hand the policy this app's tables and return its answer: the policy
decides who may see whom (access/policy.py), this app owns the rows. They record nothing themselves; the
reads built on them (``person_search``, ``person_open``) do."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput, NotFound
from openmash.lib.names import search_exact_keys, search_words, similarity
from openmash.people.models import (
    Address,
    ChildStatus,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    SchoolEnrolment,
)

SEARCH_LIMIT = 50


def _rows() -> policy.PeopleRows:
    return policy.PeopleRows(
        people=Person.objects.all(),
        addresses=Address.objects.all(),
        enrolments=SchoolEnrolment.objects.all(),
        statuses=ChildStatus.objects.all(),
    )


def visible_people(actor: Actor) -> QuerySet[Person]:
    """Every person the actor may see (``policy.visible_people``), as one query to filter further."""
    return policy.visible_people(actor, _rows())


def visible_among(actor: Actor, people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` narrowed to those the actor may see (``policy.visible_among``): a search's few candidates."""
    return policy.visible_among(actor, people, _rows())


def reason_to_see(actor: Actor, person_id: uuid.UUID) -> str | None:
    """The reason the actor may see this person, or None if it may not (``policy.reason_to_see``)."""
    return policy.reason_to_see(actor, person_id, _rows())


@dataclass(frozen=True)
class SearchCriteria:
    name: str = ""
    date_of_birth: dt.date | None = None
    identifier: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name.strip() or self.date_of_birth or self.identifier.strip())


# A person found only by a name like the one given (not holding every word of it): how alike, at least, as
# pg_trgm counts it (0.3 is the default threshold of its % operator, which the PostgreSQL search uses).
SIMILAR_ENOUGH = 0.3
# The most names compared for people born on the day given (about 150 are, among a million people).
SAME_BIRTHDAY_COMPARED = 2000
# The most people holding the words given that are ranked, when no date of birth narrows them: "Smith" alone
# is one in a hundred people. A search that finds more asks for a date of birth.
NAME_CANDIDATES = 1000


def _names_containing(words: list[str]) -> QuerySet[PersonName]:
    """Names holding every word (each a part of a name, in any order), through the trigram index: pg_trgm's
    GIN index on PostgreSQL, the FTS5 trigram table on SQLite (people migration 0005). Words of fewer than
    three letters have no trigram: they narrow what the others found, or, alone, are looked for name by name."""
    names = PersonName.objects.all()
    indexed = [word for word in words if len(word) >= 3]
    if indexed and connection.vendor == "sqlite":
        phrase = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in indexed)
        names = names.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM people_personname_search WHERE people_personname_search MATCH %s", [phrase]
            )
        )
        words = [word for word in words if len(word) < 3]
    for word in words:
        names = names.filter(
            search_key__contains=word
        )  # LIKE '%word%': the GIN index serves it on PostgreSQL
    return names


def _exact_name(words: list[str]) -> Q:
    """A name that is exactly the words given, given name first or family name first."""
    if len(words) == 1:
        return Q(search_key__startswith=f"{words[0]} ") | Q(search_key__endswith=f" {words[0]}")
    return Q(search_key__in=search_exact_keys(words))


def _is_exact(key: str, words: list[str], exact_keys: set[str]) -> bool:
    if len(words) == 1:
        return key.startswith(f"{words[0]} ") or key.endswith(f" {words[0]}")
    return key in exact_keys


def _born_on(day: dt.date) -> Q:
    return Q(date_of_birth=day) | Q(expected_date_of_birth=day)


def _ranked_ids(actor: Actor, criteria: SearchCriteria) -> list[uuid.UUID]:
    """The people found, best first: the identifier given, exactly; then the name (either order) and date of
    birth given; then names holding every word given; then names alike. Only people the actor may see are ever
    read (``policy.visible_among``)."""
    words = search_words(criteria.name)
    found: list[uuid.UUID] = []
    identifier = identifiers.normalise(criteria.identifier) if criteria.identifier.strip() else ""
    if identifier and policy.may_search_by_identifier(actor):
        found += visible_among(
            actor, Person.objects.filter(identifiers__value=identifier).order_by("family_name", "given_name")
        ).values_list("pk", flat=True)[:SEARCH_LIMIT]
    if criteria.date_of_birth:
        more = _born_on_ranked(actor, words, criteria.date_of_birth)
    elif words:
        more = _by_name(actor, words)
    else:
        more = []
    return (found + [pk for pk in more if pk not in found])[:SEARCH_LIMIT]


def _born_on_ranked(actor: Actor, words: list[str], day: dt.date) -> list[uuid.UUID]:
    """People born (or expected) on the day, found by its index, their names ranked here: exactly the name
    given, then holding every word, then alike (most alike first), each in name order. About 150 people share
    a birthday among a million, so no name index is needed."""
    people = visible_among(actor, Person.objects.filter(_born_on(day)))
    names = (
        PersonName.objects.filter(person__in=people)
        .order_by("person__family_name", "person__given_name", "person_id")
        .values_list("person_id", "search_key")[:SAME_BIRTHDAY_COMPARED]
    )
    if not words:
        return list(dict.fromkeys(person_id for person_id, _key in names))
    wanted, exact_keys = " ".join(words), search_exact_keys(words)
    best: dict[uuid.UUID, tuple[int, float]] = {}
    for person_id, key in names:
        if _is_exact(key, words, exact_keys):
            rank = (0, 0.0)
        elif all(word in key for word in words):
            rank = (1, 0.0)
        elif (alike := similarity(wanted, key)) >= SIMILAR_ENOUGH:
            rank = (2, -alike)
        else:
            continue
        best[person_id] = min(best.get(person_id, rank), rank)
    order = {person_id: index for index, person_id in enumerate(dict.fromkeys(pk for pk, _key in names))}
    return sorted(best, key=lambda pk: (*best[pk], order[pk]))


def _by_name(actor: Actor, words: list[str]) -> list[uuid.UUID]:
    """People holding every word given in one of their names, through the trigram index, exactly the name
    (either order) first; on PostgreSQL, when none does, names alike through pg_trgm's similarity."""
    holding = _names_containing(words).values("person_id")[:NAME_CANDIDATES]
    people = (
        Person.objects.filter(pk__in=holding)
        .annotate(exact=Exists(PersonName.objects.filter(_exact_name(words), person_id=OuterRef("pk"))))
        .order_by("-exact", "family_name", "given_name", "date_of_birth")
    )
    found = list(visible_among(actor, people).values_list("pk", flat=True)[:SEARCH_LIMIT])
    if found or connection.vendor != "postgresql":
        return found
    wanted = " ".join(words)
    close = (
        PersonName.objects.filter(
            pk__in=RawSQL("SELECT id FROM people_personname WHERE search_key %% %s", [wanted])
        )
        .annotate(alike=RawSQL("similarity(search_key, %s)", [wanted]))
        .order_by("-alike")
        .values_list("person_id", flat=True)[: SEARCH_LIMIT * 4]
    )
    ids = list(dict.fromkeys(close))
    visible = set(visible_among(actor, Person.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    return [pk for pk in ids if pk in visible]


def person_search(*, actor: Actor, criteria: SearchCriteria) -> list[Person]:
    """People matching the criteria among those the actor may see, best first (``_ranked_ids``). The search
    itself is audited."""
    if criteria.is_empty:
        raise InvalidInput({"": "Enter a name, a date of birth or an identifier to search for"})
    ids = _ranked_ids(actor, criteria)
    by_id = Person.objects.in_bulk(ids)
    results = [by_id[pk] for pk in ids if pk in by_id]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            object_type="person",
            detail={
                "name": criteria.name,
                "date_of_birth": criteria.date_of_birth.isoformat() if criteria.date_of_birth else "",
                "identifier": criteria.identifier,
                "results": len(results),
            },
        )
    return results


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    reason: str
    scope: policy.RecordScope = policy.RecordScope.FULL


def _person_with_details() -> QuerySet[Person]:
    return Person.objects.select_related("recorded_by").prefetch_related(
        "names",
        Prefetch("identifiers", queryset=PersonIdentifier.objects.select_related("issuer")),
        "addresses__council",
        "statuses__council",
        "enrolments__school",
        Prefetch("relationships", queryset=Relationship.objects.select_related("relative")),
        Prefetch("relationships_to", queryset=Relationship.objects.select_related("person")),
    )


def person_open(*, actor: Actor, person_id: uuid.UUID | str) -> PersonRecord:
    """One person's record for the actor, recording the read. NotFound both when absent and when not allowed."""
    try:
        pid = uuid.UUID(str(person_id))
    except ValueError as error:
        raise NotFound("No such person") from error
    reason = reason_to_see(actor, pid)
    if reason is None:
        raise NotFound("No such person")
    person = _person_with_details().get(pk=pid)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="person",
            object_id=pid,
            person_id=pid,
            reason=reason,
        )
    return PersonRecord(person=person, reason=reason, scope=policy.record_scope(actor))
