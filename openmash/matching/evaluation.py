"""Measuring the matcher on generated people with known truth (the suite's floors and bench/matching.py)."""

from collections import defaultdict
from dataclasses import dataclass

from openmash.matching.features import MatchRecord, match_record
from openmash.matching.keys import probe_keys, stored_keys
from openmash.matching.model import TrainedModel, best_matches, stored_model
from openmash.matching.synthetic import IntakeSet, Typed


def as_record(person: Typed) -> MatchRecord:
    return match_record(
        person.given_name, person.family_name, person.date_of_birth, person.sex, person.postcodes
    )


@dataclass(frozen=True)
class Thresholds:
    link: float  # at or above: linked without asking
    review: float  # at or above (and below ``link``): a person decides


@dataclass(frozen=True)
class Outcome:
    arriving: int
    auto_links: int
    correct_auto_links: int
    sent_to_review: int
    should_link: int  # arriving records whose child was already recorded

    @property
    def precision(self) -> float:
        return self.correct_auto_links / self.auto_links if self.auto_links else 1.0

    @property
    def recall(self) -> float:
        return self.correct_auto_links / self.should_link if self.should_link else 1.0

    @property
    def review_share(self) -> float:
        return self.sent_to_review / self.arriving if self.arriving else 0.0


class MemoryIndex:
    """The recorded people under their candidate keys, in memory (the database keeps the same keys)."""

    def __init__(self, people: list[tuple[int, MatchRecord]]) -> None:
        self.records = dict(people)
        self.keys: dict[str, list[int]] = defaultdict(list)
        for key, record in people:
            for candidate_key in stored_keys(record):
                self.keys[candidate_key].append(key)

    def candidates(self, record: MatchRecord) -> list[tuple[int, MatchRecord]]:
        found = {person for key in probe_keys(record) for person in self.keys.get(key, ())}
        return [(person, self.records[person]) for person in found]


def evaluate(data: IntakeSet, thresholds: Thresholds, model: TrainedModel | None = None) -> Outcome:
    model = model or stored_model()
    index = MemoryIndex([(person.child, as_record(person)) for person in data.recorded])
    auto = correct = review = 0
    for person in data.arriving:
        scored = best_matches(as_record(person), index.candidates(as_record(person)), model)
        if not scored:
            continue
        child, best = scored[0]
        if best.probability >= thresholds.link and best.may_link_unasked:
            auto += 1
            correct += child == person.child
        elif best.probability >= thresholds.review:
            review += 1
    should = sum(person.child in data.recorded_children for person in data.arriving)
    return Outcome(len(data.arriving), auto, correct, review, should)
