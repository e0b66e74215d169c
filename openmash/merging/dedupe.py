"""Finding duplicates already recorded (``openmash people dedupe``): Splink scores every likely pair of
records, and each pair in the grey band or above goes to the review queue of an agency that may see both.
Nothing is merged without a person deciding."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from openmash.accounts.actors import operator_actor
from openmash.matching.features import from_json
from openmash.matching.model import score
from openmash.matching.models import MatchProfile
from openmash.matching.training import likely_pairs
from openmash.merging.models import ReviewSource
from openmash.merging.services import review_raise
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import Person


@dataclass(frozen=True)
class DedupeResult:
    people: int
    pairs: int  # pairs scored at or above the review threshold
    raised: int  # questions put to an agency (not already decided or waiting)
    no_agency: int  # pairs no single agency may see both of: left alone


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
    recorded_by = dict(
        Person.objects.filter(pk__in=[uuid.UUID(pk) for pair in pairs for pk in pair[:2]]).values_list(
            "pk", "recorded_by"
        )
    )
    organisations = {
        org.pk: org
        for org in Organisation.objects.filter(pk__in={area.pk} if area else set(recorded_by.values()))
    }
    raised = no_agency = 0
    for done, (left, right, _probability) in enumerate(pairs, start=1):
        first, second = uuid.UUID(left), uuid.UUID(right)
        # Ids are time-ordered (lib.ids): the earlier record is the candidate, kept if they are linked.
        candidate, arriving = sorted((first, second), key=str)
        owner = None
        choices = [area.pk] if area else [recorded_by.get(first), recorded_by.get(second)]
        for org_id in choices:
            organisation = organisations.get(org_id) if org_id else None
            actor = operator_actor(organisation) if organisation else None
            if actor and all(people_selectors.reason_to_see(actor, pk) is not None for pk in (first, second)):
                owner = organisation
                break
        if owner is None:
            no_agency += 1
        elif review_raise(
            organisation=owner,
            arriving_id=arriving,
            candidate_id=candidate,
            score=score(by_id[str(candidate)], by_id[str(arriving)]),
            source=ReviewSource.DEDUPE,
        ):
            raised += 1
        if done % 1_000 == 0 or done == len(pairs):
            progress("Filling the review queue", done, len(pairs))
    return DedupeResult(len(records), len(pairs), raised, no_agency)
