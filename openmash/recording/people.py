"""The people an event names, matched to records or planned as new ones, for the batch being recorded.

Each person named by id must be one the recorder may see; one named by NHS number or UPN is matched by the
identifier rule (docs/decisions/0012); anyone else is matched by likeness (names, date of birth, postcode:
``openmash.matching``, docs/decisions/0014) to the records in the match index and to the people recorded new
earlier in the same batch: linked when the matcher is sure, recorded new and put to a person to decide when it
is unsure, recorded new otherwise. The new people are recorded all at once by the person planner
(``people.services.people_planned``). Children are enrolled at a school an event names. Each person comes back
as routing sees them (``routing.Subject``). Reads only: the rows are planned, written later in one transaction
(recording/services.py)."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from openmash.accounts.actors import Actor
from openmash.audit.services import AuditInput
from openmash.database import Insert, rows_insert
from openmash.events.models import EventKind, EventSubject, Source, SubjectRole
from openmash.lib import identifiers
from openmash.lib.errors import InvalidInput
from openmash.lib.names import name_key
from openmash.matching.features import MatchRecord, match_record
from openmash.matching.keys import probe_keys, stored_keys
from openmash.matching.model import Score, TrainedModel, best_matches, stored_model
from openmash.matching.selectors import candidates_of_many
from openmash.organisations.models import Organisation
from openmash.organisations.selectors import schools_by_urn
from openmash.people import selectors as people_selectors
from openmash.people.models import IdentifierScheme, Person, PersonIdentifier, PersonKind, SchoolEnrolment
from openmash.people.services import IdentifierInput, NewPerson, people_planned, postcode_normalise
from openmash.recording.checks import SUBJECT_DETAIL_FIELDS, CheckedEvent, PersonInput
from openmash.sharing import routing

# Kinds of event at a household, whose people are linked as one and whose place is their address
# (people.services.household_planned).
HOUSEHOLD_KINDS = frozenset({EventKind.DOMESTIC_ABUSE})
# The most possible duplicates one new person is put to a person about: the likeliest.
MOST_REVIEWS_PER_PERSON = 3


def household_postcode(checked: CheckedEvent) -> str:
    """The postcode a household incident gives as the address of each person with none on record
    (recording.services._household): none for other kinds, nor for an import still held (docs/import.md)."""
    data = checked.data
    if (
        data.kind in HOUSEHOLD_KINDS
        and data.source not in (Source.HELD, Source.IMPORT)
        and checked.council is not None
        and data.postcode
    ):
        return postcode_normalise(data.postcode)
    return ""


def _subject_details(given: PersonInput) -> dict[str, Any]:
    return {
        key: value
        for key, value in given.details.items()
        if key in SUBJECT_DETAIL_FIELDS and value not in ("", None)
    }


def _identifiers_of(given: PersonInput) -> list[IdentifierInput]:
    return [
        IdentifierInput(scheme=scheme, value=value)
        for scheme, value in (
            (IdentifierScheme.NHS_NUMBER, given.nhs_number),
            (IdentifierScheme.UPN, given.upn),
        )
        if value
    ]


@dataclass(frozen=True)
class _Known:
    """People already on record under the NHS numbers and UPNs a batch gives: the record each identifier
    belongs to, and the records each organisation made when it gave an identifier it could not be linked by."""

    national: dict[tuple[str, str], Person]
    given_by: dict[tuple[int, str, str], Person]


def _known_by_identifier(batch: Sequence[CheckedEvent]) -> _Known:
    """In one query for the batch."""
    wanted = {
        (item.scheme, identifiers.normalise(item.value))
        for checked in batch
        for given in checked.data.people
        if given.person_id is None
        for item in _identifiers_of(given)
    }
    if not wanted:
        return _Known({}, {})
    recorders = {checked.actor.organisation.pk for checked in batch if checked.actor.organisation is not None}
    found = PersonIdentifier.objects.select_related("person").filter(
        Q(issuer=None) | Q(issuer__in=recorders),
        scheme__in={scheme for scheme, _value in wanted},
        value__in={value for _scheme, value in wanted},
    )
    known = _Known({}, {})
    for row in found:
        if (row.scheme, row.value) not in wanted:
            continue
        if row.issuer_id is None:
            known.national[(row.scheme, row.value)] = row.person
        else:
            known.given_by[(row.issuer_id, row.scheme, row.value)] = row.person
    return known


def _same_person(given: PersonInput, person: Person) -> bool:
    """Whether what the recorder typed names the person on record: the same name (as agencies type names)
    and the same date of birth. An identifier alone never links to a record the recorder may not see."""
    return (
        given.date_of_birth is not None
        and given.date_of_birth == person.date_of_birth
        and name_key(given.given_name, given.family_name) == name_key(person.given_name, person.family_name)
    )


# A record the matcher compares with: one on record (its id), or a person this batch records new (their place
# in ``_Matched.new``).
Candidate = uuid.UUID | int


@dataclass(frozen=True)
class _Match:
    person: Person | None  # None: record a new person (or the one this batch records already: ``slot``)
    # Linked to a record the recorder may not see: it learns only that its record was linked.
    unseen: bool = False
    # What identifies a new person: as given, or (where the identifier belongs to a record that could not be
    # confirmed as this person) kept as the recorder gave it, unconfirmed.
    identifiers: tuple[IdentifierInput, ...] = ()
    # The person an earlier event of this batch records new, whom the matcher is sure this person is.
    slot: int | None = None
    # For a new record: those it may be the same child as, for a person to decide (the grey band, or a link
    # the twins rule refused).
    review: tuple[tuple[Candidate, Score], ...] = ()


@dataclass(frozen=True)
class _Likeness:
    """What a record is compared on (matching.features), and the keys it is found by."""

    record: MatchRecord
    keys: frozenset[str]
    position: int  # the event naming the person
    identifiers: frozenset[tuple[str, str]]  # the national identifiers given (scheme, value)


class _Matcher:
    """Matching by likeness for one batch (docs/decisions/0014): against the match index (records on record)
    and against the people the batch records new, so that two rows of one file about one new child make one
    record. Matching finds; what the recorder learns is decided as for an identifier (decision 0012)."""

    def __init__(self) -> None:
        self.model: TrainedModel = _model()
        self.link: float = settings.MATCHING_LINK
        self.review: float = settings.MATCHING_REVIEW
        self.planned: dict[int, _Likeness] = {}  # new people of the batch, by slot
        self.by_key: dict[str, list[int]] = {}
        # Each person's candidates on record, read and scored for the whole batch at once (``prepare``), best
        # first.
        self.on_record: dict[tuple[int, int], list[tuple[uuid.UUID, Score]]] = {}
        self.likenesses: dict[tuple[int, int], _Likeness] = {}
        # The records a person could be linked to without asking (read once for the batch), and of those, the
        # ones each recorder may see (the access policy asked once a recorder, not once a link).
        self.linkable: dict[uuid.UUID, Person] = {}
        self.seen: dict[Actor, set[uuid.UUID]] = {}

    def prepare(self, batch: Sequence[CheckedEvent]) -> None:
        """Every person of the batch not named by id as the matcher sees them, their candidates on record
        scored, and what the policy says of those sure enough to link."""
        self.likenesses = {
            (position, index): _likeness(checked, position, given)
            for position, checked in enumerate(batch)
            for index, given in enumerate(checked.data.people)
            if given.person_id is None
        }
        found = candidates_of_many(
            [likeness.record for likeness in self.likenesses.values()],
            [likeness.keys for likeness in self.likenesses.values()],
        )
        wanted: dict[Actor, set[uuid.UUID]] = {}
        for where, candidates in zip(self.likenesses, found, strict=True):
            # Only those worth asking about or linking are ever used (``_decided``: best first, down to
            # OPENMASH_MATCHING_REVIEW).
            scored = best_matches(self.likenesses[where].record, candidates, self.model, at_least=self.review)
            self.on_record[where] = scored
            for person, score in scored:
                if score.probability < self.link:
                    break
                if score.may_link_unasked:
                    wanted.setdefault(batch[where[0]].actor, set()).add(person)
        every = set().union(*wanted.values())
        if every:
            self.linkable = Person.objects.filter(merged_into__isnull=True).in_bulk(every)
            self.seen = {
                actor: set(
                    people_selectors.visible_among(actor, Person.objects.filter(pk__in=people)).values_list(
                        "pk", flat=True
                    )
                )
                for actor, people in wanted.items()
            }

    def add(self, slot: int, likeness: _Likeness, checked: CheckedEvent) -> None:
        """A person the batch records new, as later people of the batch find them: by the record the match
        index will keep of them (``_as_kept``: no held import's postcode), exactly as a later batch would find
        them on record, so that how many incidents are planned together changes nothing."""
        kept = _as_kept(likeness.record, checked)
        assert kept is not None  # a record in, a record out
        self.planned[slot] = likeness if kept is likeness.record else replace(likeness, record=kept)
        for key in stored_keys(self.planned[slot].record):
            self.by_key.setdefault(key, []).append(slot)

    def compared(
        self,
        where: tuple[int, int],
        organisation: Organisation,
        batch: Sequence[CheckedEvent],
        named: set[Candidate],
    ) -> list[tuple[Candidate, Score]]:
        """The candidates scored, best first: records on record sharing a key, except those this event names
        already or whose national identifier differs from one given; and the batch's new people named by
        other events of the same recorder."""
        likeness = self.likenesses[where]
        on_record = [(person, score) for person, score in self.on_record[where] if person not in named]
        if on_record and likeness.identifiers:
            differs = _identifiers_differ(likeness.identifiers, [person for person, _score in on_record])
            on_record = [(person, score) for person, score in on_record if person not in differs]
        found: list[tuple[Candidate, MatchRecord]] = []
        slots = {slot for key in likeness.keys for slot in self.by_key.get(key, ())}
        for slot in sorted(slots):
            other = self.planned[slot]
            if (
                slot in named
                or other.position == likeness.position
                or batch[other.position].actor.organisation != organisation
            ):
                continue  # two people one event names are two people
            if any(
                scheme == mine and value != theirs
                for scheme, value in likeness.identifiers
                for mine, theirs in other.identifiers
            ):
                continue
            found.append((slot, other.record))
        if not found:
            return list(on_record)
        # Best first, records on record before the batch's new people at an equal weight.
        both: list[tuple[Candidate, Score]] = [*on_record, *best_matches(likeness.record, found, self.model)]
        both.sort(key=lambda item: item[1].weight, reverse=True)
        return both


_models: dict[object, TrainedModel] = {}


def _model() -> TrainedModel:
    """The model in use (OPENMASH_MATCHING_MODEL), read once a process: asked for at every event."""
    path = settings.MATCHING_MODEL
    if path not in _models:
        _models[path] = stored_model(path)
    return _models[path]


def _identifiers_differ(given: frozenset[tuple[str, str]], people: list[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``people`` holding a national identifier of a scheme given with another value: two people."""
    schemes = {scheme for scheme, _value in given}
    return {
        person_id
        for person_id, scheme, value in PersonIdentifier.objects.filter(
            person_id__in=people, issuer=None, scheme__in=schemes
        ).values_list("person_id", "scheme", "value")
        if (scheme, value) not in given
    }


def _match(
    actor: Actor,
    given: PersonInput,
    known: _Known,
    likely: Callable[[tuple[IdentifierInput, ...]], _Match] | None = None,
) -> _Match:
    """Which record a person not named by id is:
    1. the record their NHS number or UPN belongs to, when the recorder may see it (docs/decisions/0012);
    2. that record, unseen, when the name and date of birth agree too;
    3. the record the recorder made when it last gave that identifier unconfirmed;
    4. otherwise the record the matcher is sure they are (``likely``: by likeness, docs/decisions/0014), seen
       or unseen as in 1 and 2;
    5. otherwise a new record, keeping the identifier as the recorder gave it (and, where the matcher is
       unsure, a question for a person).
    The recorder's answer is the same in 2 and 5 up to "linked", so it cannot probe a record's contents."""
    given_ids = _identifiers_of(given)
    keys = [(item.scheme, identifiers.normalise(item.value)) for item in given_ids]
    organisation = actor.organisation
    assert organisation is not None  # event_check: only organisations record events
    for key in keys:
        person = known.national.get(key)
        if person is None:
            continue
        if people_selectors.reason_to_see(actor, person.pk) is not None:
            return _Match(person)
        if _same_person(given, person):
            return _Match(person, unseen=True)
    for scheme, value in keys:
        person = known.given_by.get((organisation.pk, scheme, value))
        if person is not None:
            return _Match(person)
    kept = tuple(
        replace(item, issuer=organisation) if key in known.national else item
        for item, key in zip(given_ids, keys, strict=True)
    )
    return likely(kept) if likely is not None else _Match(None, identifiers=kept)


def _by_likeness(
    matcher: _Matcher,
    where: tuple[int, int],
    checked: CheckedEvent,
    batch: Sequence[CheckedEvent],
    named: set[Candidate],
    kept: tuple[IdentifierInput, ...],
) -> _Match:
    """Step 4 and 5 of ``_match``: the best candidate at or above OPENMASH_MATCHING_LINK that the twins rule
    lets link unasked (``Score.may_link_unasked``); else a new record, with the candidates at or above
    OPENMASH_MATCHING_REVIEW (and those the twins rule refused) to put to a person.

    A record the recorder may not see is linked unseen, as by an identifier whose name and date of birth
    agree: the recorder sees its own event and learns only that it was linked. A restricted record (adoption,
    protected identity) the recorder may not see is never linked by likeness: only everything agreeing with
    its identifier links it (decision 0012); likeness puts it to an agency that may see it."""
    actor = checked.actor
    assert actor.organisation is not None
    asking: list[tuple[Candidate, Score]] = []
    for candidate, score in matcher.compared(where, actor.organisation, batch, named):
        if score.probability < matcher.review:
            break
        if score.probability >= matcher.link and score.may_link_unasked:
            if isinstance(candidate, int):
                return _Match(None, slot=candidate)
            person = matcher.linkable.get(candidate)
            if person is None:  # merged since the index was read
                continue
            seen = candidate in matcher.seen.get(actor, set())
            if seen or not person.restriction:
                return _Match(person, unseen=not seen)
        asking.append((candidate, score))
    return _Match(None, identifiers=kept, review=tuple(asking[:MOST_REVIEWS_PER_PERSON]))


def _likeness(checked: CheckedEvent, position: int, given: PersonInput) -> _Likeness:
    """The person as the matcher sees them: their names and date of birth, and where a household incident
    happened (their home: the address it gives them), whether or not the incident will write it."""
    postcode = checked.data.postcode if checked.data.kind in HOUSEHOLD_KINDS else ""
    record = match_record(given.given_name, given.family_name, given.date_of_birth, None, [postcode])
    return _Likeness(
        record=record,
        keys=frozenset(probe_keys(record)),
        position=position,
        identifiers=frozenset(
            (item.scheme, identifiers.normalise(item.value)) for item in _identifiers_of(given)
        ),
    )


@dataclass(frozen=True)
class _PeopleOf:
    """Each event's people: as routing sees them; those linked to a record the recorder may not see; and, for
    an event with such people, its people as the recorder knows them (only what it said of them)."""

    subjects: list[list[routing.Subject]]
    unseen: list[set[uuid.UUID]]
    as_sent: list[list[routing.Subject] | None]
    # The people recorded new here.
    new: set[uuid.UUID]
    # Per event: (new record, record it may be, the matcher's score) for a person to decide
    # (recording.services puts each to an agency that may see both).
    reviews: list[list[tuple[uuid.UUID, uuid.UUID, Score]]]


@dataclass
class _Matched:
    """Each event's people matched so far: a record's id, or None where the person is to be recorded new."""

    found: list[list[uuid.UUID | None]]
    # (event position, person position, the identifiers to record them with) for each new person.
    new: list[tuple[int, int, tuple[IdentifierInput, ...]]]
    # Per event: the people linked to a record the recorder may not see.
    unseen: list[set[uuid.UUID]]
    # Every record named, by id (read once for the batch).
    on_record: dict[uuid.UUID, Person]
    # (event position, person position, slot in ``new``) for each person who is one recorded new earlier in
    # the batch.
    same_as_new: list[tuple[int, int, int]] = field(default_factory=list)
    # (slot in ``new``, record or slot it may be, score) for a person to decide.
    reviews: list[tuple[int, Candidate, Score]] = field(default_factory=list)
    # Each person matched by likeness as the matcher saw them, by (event position, person position): handed
    # to the person planner for the new people's match index rows, not worked out again.
    records: dict[tuple[int, int], MatchRecord] = field(default_factory=dict)


def people_of(
    batch: Sequence[CheckedEvent], audit_later: list[tuple[Actor, AuditInput]], inserts: list[Insert]
) -> _PeopleOf:
    """Match each event's people to existing records by id, NHS number or UPN, or record them new: all the
    batch's new people at once; and enrol children at the school an event names. Each person comes back as
    routing sees them (``routing.Subject``): what is on record about the people already known is read once
    for the batch, and the people recorded here have nothing on record but the school just named.

    Two events naming the same new person by NHS number or UPN meet the identifier's unique constraint when
    written together; group commit then writes each alone, planned afresh, and the second finds the person
    the first recorded."""
    matched = _match_everyone(batch)
    standing = routing.standing_of(matched.on_record.values())
    new_ids = _plan_new_people(batch, matched, standing, audit_later, inserts)
    ids = [[someone for someone in people if someone is not None] for people in matched.found]
    schools = _schools(batch)
    inserts.append(_enrol_at_named_schools(batch, ids, matched.unseen, standing, schools))
    people = _as_routing_sees(batch, ids, matched.unseen, standing, schools)
    people.new.update(new_ids)
    for slot, candidate, score in matched.reviews:
        position = matched.new[slot][0]
        other = new_ids[candidate] if isinstance(candidate, int) else candidate
        people.reviews[position].append((new_ids[slot], other, score))
    return people


def _may_see_named(
    batch: Sequence[CheckedEvent], on_record: dict[uuid.UUID, Person]
) -> Callable[[Actor, uuid.UUID], bool]:
    """Whether a recorder may see a person its event names by id: for a batch naming several (an import's
    chunk), asked once a recorder for all of them (``visible_among``, the rule of ``reason_to_see`` for many
    people at once); for one, of that person alone."""
    named: dict[Actor, set[uuid.UUID]] = {}
    for checked in batch:
        for given in checked.data.people:
            if given.person_id is not None and given.person_id in on_record:
                named.setdefault(checked.actor, set()).add(given.person_id)
    if sum(len(people) for people in named.values()) <= 1:
        return lambda actor, person_id: people_selectors.reason_to_see(actor, person_id) is not None
    seen = {
        actor: set(
            people_selectors.visible_among(
                actor, Person.objects.filter(pk__in=people, merged_into__isnull=True)
            ).values_list("pk", flat=True)
        )
        for actor, people in named.items()
    }
    return lambda actor, person_id: person_id in seen.get(actor, ())


def _match_everyone(batch: Sequence[CheckedEvent]) -> _Matched:
    """Step 1: each person named by id (one the recorder may see), or matched by identifier or by likeness,
    or to be recorded new. Every problem in the batch is raised at once."""
    known = _known_by_identifier(batch)
    matcher = _Matcher() if settings.MATCHING_AT_INTAKE else None
    if matcher is not None:
        matcher.prepare(batch)
    on_record: dict[uuid.UUID, Person] = Person.objects.in_bulk(
        {given.person_id for checked in batch for given in checked.data.people if given.person_id is not None}
    )
    matched = _Matched(
        found=[],
        new=[],
        unseen=[set() for _ in batch],
        on_record=on_record,
        records={where: likeness.record for where, likeness in matcher.likenesses.items()} if matcher else {},
    )
    may_see = _may_see_named(batch, on_record)
    new_identifiers: dict[tuple[str, str], int] = {}
    errors: dict[str, str] = {}
    for position, checked in enumerate(batch):
        people: list[uuid.UUID | None] = []
        for index, given in enumerate(checked.data.people):
            if given.person_id is not None:
                if given.person_id in on_record and not may_see(checked.actor, given.person_id):
                    if _in_own_related_event(checked, given.person_id):
                        matched.unseen[position].add(given.person_id)
                    else:
                        on_record.pop(given.person_id)
                if given.person_id not in on_record:
                    errors[f"people.{index}.person_id"] = (
                        "No such person, or your organisation may not see them"
                    )
                people.append(given.person_id)
                continue
            likely = None
            if matcher is not None:
                # Records this event names already (or names by id) are not this person: another child.
                named: set[Candidate] = {someone for someone in people if someone is not None}
                named |= {other.person_id for other in checked.data.people if other.person_id is not None}
                named |= {slot for at, _index, slot in matched.same_as_new if at == position}
                likely = partial(_by_likeness, matcher, (position, index), checked, batch, named)
            match = _match(checked.actor, given, known, likely)
            if match.person is not None:
                on_record[match.person.pk] = match.person
                people.append(match.person.pk)
                if match.unseen:
                    matched.unseen[position].add(match.person.pk)
                continue
            people.append(None)
            if match.slot is not None:
                matched.same_as_new.append((position, index, match.slot))
                continue
            keys = {(item.scheme, identifiers.normalise(item.value)) for item in match.identifiers}
            if any(new_identifiers.get(key) == position for key in keys):
                errors[f"people.{index}"] = "The same person is named twice"
                continue
            new_identifiers |= dict.fromkeys(keys, position)
            slot = len(matched.new)
            matched.new.append((position, index, match.identifiers))
            matched.reviews += [(slot, candidate, score) for candidate, score in match.review]
            if matcher is not None:
                matcher.add(slot, matcher.likenesses[(position, index)], checked)
        matched.found.append(people)
    if errors:
        raise InvalidInput(errors)
    return matched


def _plan_new_people(
    batch: Sequence[CheckedEvent],
    matched: _Matched,
    standing: dict[uuid.UUID, routing.Subject],
    audit_later: list[tuple[Actor, AuditInput]],
    inserts: list[Insert],
) -> list[uuid.UUID]:
    """Step 2: the people to record new, planned together by the person planner (their rows, match index rows
    and audit entries join the batch's); each takes its place among its event's people (and those of later
    events the matcher found to be them), known to routing by what the recorder said (nothing else is on
    record yet). Their ids, in the order of ``matched.new``."""
    planned = people_planned(
        [
            (
                batch[position].actor,
                NewPerson(
                    kind=PersonKind.CHILD if given.role == SubjectRole.CHILD else PersonKind.ADULT,
                    given_name=given.given_name,
                    family_name=given.family_name,
                    date_of_birth=given.date_of_birth,
                    identifiers_given=given_ids,
                    postcode_given_by_event=household_postcode(batch[position]),
                    match_record=_as_kept(matched.records.get((position, index)), batch[position]),
                ),
            )
            for position, index, given_ids in matched.new
            for given in [batch[position].data.people[index]]
        ]
    )
    inserts += planned.inserts
    audit_later += planned.audit
    for (position, index, _ids), person_id in zip(matched.new, planned.person_ids, strict=True):
        matched.found[position][index] = person_id
        given = batch[position].data.people[index]
        standing[person_id] = routing.Subject(person_id, "", {}, date_of_birth=given.date_of_birth)
    for position, index, slot in matched.same_as_new:
        matched.found[position][index] = planned.person_ids[slot]
    return planned.person_ids


def _as_kept(record: MatchRecord | None, checked: CheckedEvent) -> MatchRecord | None:
    """The matcher's record of a new person as the match index keeps it (``people.planner._match_index``): the
    household's postcode only where the incident writes it as their address (``household_postcode``: not for
    an import still held), which the matcher compares with either way."""
    if record is None or household_postcode(checked) or not record.postcodes:
        return record
    return replace(record, postcodes=(), outcodes=())


def _enrol_at_named_schools(
    batch: Sequence[CheckedEvent],
    ids: list[list[uuid.UUID]],
    unseen: list[set[uuid.UUID]],
    standing: dict[uuid.UUID, routing.Subject],
    schools: dict[str, Organisation],
) -> Insert:
    """Step 3: a child named with a school they are not enrolled at is enrolled there from today; routing
    reads what is about to be written (``standing`` is updated), not the database."""
    enrolments: list[tuple[uuid.UUID, int, dt.date, None]] = []
    today = timezone.localdate()
    for position, (checked, their_ids) in enumerate(zip(batch, ids, strict=True)):  # all matched or recorded
        for given, someone in zip(checked.data.people, their_ids, strict=True):
            school = schools.get(str(given.details.get("school_urn", "")).strip())
            person = standing[someone]
            if school is not None and not any(
                each.pk == school.pk and end is None for each, end in person.schools
            ):
                # A record the recorder may not see is not changed by what it says: naming a school would
                # otherwise give that school a reason to see the whole record. Routing still tells the school.
                if someone not in unseen[position]:
                    enrolments.append((someone, school.pk, today, None))
                # Routing reads what is about to be written, not the database (and it is written once).
                standing[someone] = replace(person, schools=(*person.schools, (school, None)))
    return rows_insert(SchoolEnrolment, ("person_id", "school_id", "start_date", "end_date"), enrolments)


def _as_routing_sees(
    batch: Sequence[CheckedEvent],
    ids: list[list[uuid.UUID]],
    unseen: list[set[uuid.UUID]],
    standing: dict[uuid.UUID, routing.Subject],
    schools: dict[str, Organisation],
) -> _PeopleOf:
    """Step 4: each event's people as routing sees them (their role and details in this event), and, where
    the event names a record the recorder may not see, as the recorder alone knows them."""
    errors: dict[str, str] = {}
    resolved: list[list[routing.Subject]] = []
    as_sent: list[list[routing.Subject] | None] = []
    for checked, their_ids, hidden in zip(batch, ids, unseen, strict=True):
        subjects: list[routing.Subject] = []
        for index, (given, someone) in enumerate(zip(checked.data.people, their_ids, strict=True)):
            if any(someone == other.person_id for other in subjects):
                errors[f"people.{index}"] = "The same person is named twice"
                continue
            details = _subject_details(given)
            if someone in hidden and given.person_id is None:
                # Linked to a record the recorder may not see: what it typed, for what it is shown of its own
                # event (events.EventSubject.name_as_recorded), never the record's own spelling.
                details["named_as"] = {"given_name": given.given_name, "family_name": given.family_name}
            subjects.append(replace(standing[someone], role=given.role, details=details))
        resolved.append(subjects)
        as_sent.append(
            [
                _as_sent(subject, given, schools) if subject.person_id in hidden else subject
                for subject, given in zip(subjects, checked.data.people, strict=False)
            ]
            if hidden
            else None
        )
    if errors:
        raise InvalidInput(errors)
    return _PeopleOf(
        subjects=resolved, unseen=unseen, as_sent=as_sent, new=set(), reviews=[[] for _ in batch]
    )


def _in_own_related_event(checked: CheckedEvent, person_id: uuid.UUID) -> bool:
    """A person the recorder named in the event this one follows (the missing report a found report closes),
    which it recorded itself: it may name them again by id, though it may not see their record."""
    related = checked.related
    return (
        related is not None
        and checked.actor.organisation is not None
        and related.recorded_by_id == checked.actor.organisation.pk
        and EventSubject.objects.filter(event=related, person_id=person_id).exists()
    )


def _as_sent(
    subject: routing.Subject, given: PersonInput, schools: dict[str, Organisation]
) -> routing.Subject:
    """A person linked to a record the recorder may not see, as the recorder alone knows them: what it said
    (the school it named, their date of birth), nothing the record holds (home, statuses, other schools)."""
    school = schools.get(str(given.details.get("school_urn", "")).strip())
    return routing.Subject(
        subject.person_id,
        subject.role,
        subject.details,
        date_of_birth=given.date_of_birth,
        schools=((school, None),) if school is not None else (),
    )


def _schools(batch: Sequence[CheckedEvent]) -> dict[str, Organisation]:
    """The schools on the service named by URN anywhere in the batch."""
    urns = {
        str(given.details.get("school_urn", "")).strip() for checked in batch for given in checked.data.people
    } - {""}
    return schools_by_urn(urns) if urns else {}
