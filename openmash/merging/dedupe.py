"""Finding duplicates already recorded (``openmash people dedupe``): Splink scores every likely pair of
records, and each pair in the grey band or above goes to the review queue of an agency that may see both.
Nothing is merged without a person deciding."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from openmash.accounts.actors import operator_actor
from openmash.matching.features import from_json
from openmash.matching.model import COMPARISONS, Score, score
from openmash.matching.models import MatchProfile
from openmash.matching.training import likely_pairs
from openmash.merging.models import ReviewSource
from openmash.merging.services import ReviewWanted, reviews_raise
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import Person


@dataclass(frozen=True)
class DedupeResult:
    people: int
    pairs: int  # pairs scored at or above the review threshold
    raised: int  # questions put to an agency (not already decided or waiting)
    no_agency: int  # pairs no single agency may see both of: left alone
    not_asked: int = 0  # pairs left out by ``worth_asking``: twins, siblings and namesakes


def worth_asking(found: Score) -> bool:
    """Whether a pair the batch found is put to a person. At intake one arriving record is compared with a
    few candidates, and a twin with another given name is asked about (the twins rule, decision 0014); across
    a whole area, pairs of recorded people whose given names or dates of birth do not agree at any level are
    twins, siblings and namesakes already recorded as two, not duplicates: at a million people they were nine
    questions in ten. So a pair is asked about only when the given name agrees at some level (or is not known)
    and the date of birth is the same, its day and month swapped or one character different, or not known
    with a score of at least 0.99. Measured on the synthetic truth (bench/dedupe.py, docs/performance.md): at
    100,003 records, 19,239 questions of which 8,720 true became 9,475 of which 8,584 true."""
    given = found.vector[_GIVEN]
    dob = found.vector[_DOB]
    if given == _GIVEN_OTHER:
        return False
    if dob in _DOB_AGREES:
        return True
    return dob == _DOB_UNKNOWN and found.probability >= 0.99


# The levels (matching.model.COMPARISONS) ``worth_asking`` reads.
_GIVEN = next(i for i, comparison in enumerate(COMPARISONS) if comparison.name == "given_name")
_GIVEN_OTHER = len(COMPARISONS[_GIVEN].levels) - 1  # "All other comparisons"
_DOB = next(i for i, comparison in enumerate(COMPARISONS) if comparison.name == "dob")
_DOB_UNKNOWN = next(i for i, level in enumerate(COMPARISONS[_DOB].levels) if level.null)
_DOB_AGREES = frozenset(
    i
    for i, level in enumerate(COMPARISONS[_DOB].levels)
    if level.label in ("Exact", "Day and month swapped", "One character different")
)

# Questions written a chunk at a time: one transaction and one insert each, and the progress bar moves on.
_CHUNK = 5_000


def dedupe(
    *,
    area: Organisation | None = None,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> DedupeResult:
    """Look for duplicates among the people ``area`` (a council) may see, or among everyone."""
    people = Person.objects.filter(merged_into__isnull=True)
    if area is not None:  # the records the area's council may see: its own, and those shared with it
        people = people_selectors.visible_people(operator_actor(area))
    profiles = MatchProfile.objects.filter(person_id__in=people.values("pk")).values_list(
        "person_id", "features"
    )
    records = []
    for person_id, features in profiles.iterator(chunk_size=10_000):
        records.append((str(person_id), from_json(features)))
        if len(records) % 50_000 == 0:
            progress("Reading people", len(records), 0)
    progress("Reading people", len(records), len(records))
    pairs = likely_pairs(records, settings.MATCHING_MODEL, settings.MATCHING_REVIEW)
    progress("Scoring pairs", len(pairs), len(pairs))
    by_id = dict(records)
    del records
    raised = no_agency = not_asked = 0
    for start in range(0, len(pairs), _CHUNK):
        scored = []
        for left, right, _probability in pairs[start : start + _CHUNK]:
            candidate, arriving = _earlier_first(left, right)
            found = score(by_id[str(candidate)], by_id[str(arriving)])
            if worth_asking(found):
                scored.append((candidate, arriving, found))
            else:
                not_asked += 1
        owners = _owners([(candidate, arriving) for candidate, arriving, _found in scored], area)
        wanted = []
        for candidate, arriving, found in scored:
            owner = owners.get((candidate, arriving))
            if owner is None:
                no_agency += 1
                continue
            wanted.append(
                ReviewWanted(organisation_id=owner, arriving_id=arriving, candidate_id=candidate, score=found)
            )
        raised += reviews_raise(wanted=wanted, source=ReviewSource.DEDUPE)
        progress("Filling the review queue", min(start + _CHUNK, len(pairs)), len(pairs))
    return DedupeResult(len(by_id), len(pairs), raised, no_agency, not_asked)


def _earlier_first(left: str, right: str) -> tuple[uuid.UUID, uuid.UUID]:
    """Ids are time-ordered (lib.ids): the earlier record is the candidate, kept if they are linked."""
    first, second = sorted((left, right))
    return uuid.UUID(first), uuid.UUID(second)


def _owners(
    pairs: list[tuple[uuid.UUID, uuid.UUID]], area: Organisation | None
) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
    """The agency each pair goes to: one that may see both records. For an area, its council (every record
    looked at is one it may see); otherwise the agency that recorded the earlier record, else the later one,
    asked of the policy once for the chunk (``visible_among``), not once a pair."""
    if area is not None:
        return {pair: area.pk for pair in pairs}
    ids = {pk for pair in pairs for pk in pair}
    recorded_by = dict(Person.objects.filter(pk__in=ids).values_list("pk", "recorded_by"))
    seen: dict[int, set[uuid.UUID]] = {}
    for organisation in Organisation.objects.filter(pk__in=set(recorded_by.values())):
        # The records of the pairs it holds one of: may it see the other too?
        held = {
            pk
            for pair in pairs
            if organisation.pk in (recorded_by.get(pair[0]), recorded_by.get(pair[1]))
            for pk in pair
        }
        among = Person.objects.filter(pk__in=held)
        seen[organisation.pk] = set(
            people_selectors.visible_among(operator_actor(organisation), among).values_list("pk", flat=True)
        )
    owners = {}
    for first, second in pairs:
        for org_id in (recorded_by.get(first), recorded_by.get(second)):
            if org_id is not None and {first, second} <= seen.get(org_id, set()):
                owners[(first, second)] = org_id
                break
    return owners
