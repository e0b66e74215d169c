"""The matching model: what two records are compared on, level by level, and how much each level counts.

Each comparison is a list of levels tried in order, the first that holds deciding. Every level is written twice,
side by side: as the SQL Splink runs (training, and the batch dedupe on DuckDB or Spark) and as a Python test
the intake scorer runs on one record against a few candidates in well under a millisecond. A test
(tests/matching/test_model.py) checks the two agree on every pair of a generated set, so the weights Splink
trains are the weights intake applies.

How much each level counts is learnt, not chosen: ``openmash matching train`` fits the m and u probabilities
(Fellegi-Sunter, by Splink's expectation maximisation) and writes them to ``model.json`` beside this module,
a versioned file reviewed like code. A record's score is the prior odds times each comparison's Bayes factor
m/u; its match probability decides: link, ask a person (the review queue), or a new record.
"""

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jellyfish

from openmash.matching.features import MatchRecord

MODEL_FILE = Path(__file__).with_name("model.json")

Test = Callable[[MatchRecord, MatchRecord], bool]


@dataclass(frozen=True)
class Level:
    label: str
    sql: str
    test: Test
    null: bool = False


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]


def _jw(a: str | None, b: str | None) -> float:
    return jellyfish.jaro_winkler_similarity(a, b) if a and b else 0.0


def _typed_wrong(a: str | None, b: str | None) -> bool:
    return bool(a and b) and jellyfish.damerau_levenshtein_distance(a or "", b or "") <= 1


def _swapped_names(a: MatchRecord, b: MatchRecord) -> bool:
    return a.given_name == b.family_name and a.family_name == b.given_name


def _shares(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return not set(a).isdisjoint(b)


_SWAPPED_SQL = "given_name_l = family_name_r AND family_name_l = given_name_r"
NAME_SIMILAR = 0.94


def _else() -> Level:
    return Level("All other comparisons", "ELSE", lambda a, b: True)


COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        "Given name",
        (
            Level(
                "Given name missing",
                "given_name_l IS NULL OR given_name_r IS NULL",
                lambda a, b: a.given_name is None or b.given_name is None,
                null=True,
            ),
            Level("Exact", "given_name_l = given_name_r", lambda a, b: a.given_name == b.given_name),
            Level("Given and family names swapped", _SWAPPED_SQL, _swapped_names),
            Level(
                "Typed as the family name",
                "given_name_l = family_name_r OR given_name_r = family_name_l",
                lambda a, b: a.given_name == b.family_name or b.given_name == a.family_name,
            ),
            Level(
                "Nickname of each other",
                "list_has_any(given_group_l, given_group_r)",
                lambda a, b: _shares(a.given_group, b.given_group),
            ),
            Level(
                f"Jaro-Winkler at least {NAME_SIMILAR}",
                f"jaro_winkler_similarity(given_name_l, given_name_r) >= {NAME_SIMILAR}",
                lambda a, b: _jw(a.given_name, b.given_name) >= NAME_SIMILAR,
            ),
            Level(
                "One letter typed wrong",
                "damerau_levenshtein(given_name_l, given_name_r) <= 1",
                lambda a, b: _typed_wrong(a.given_name, b.given_name),
            ),
            Level(
                "Sounds the same",
                "given_phonetic_l = given_phonetic_r",
                lambda a, b: a.given_phonetic is not None and a.given_phonetic == b.given_phonetic,
            ),
            _else(),
        ),
    ),
    Comparison(
        "family_name",
        "Family name",
        (
            Level(
                "Family name missing",
                "family_name_l IS NULL OR family_name_r IS NULL",
                lambda a, b: a.family_name is None or b.family_name is None,
                null=True,
            ),
            Level("Exact", "family_name_l = family_name_r", lambda a, b: a.family_name == b.family_name),
            Level("Given and family names swapped", _SWAPPED_SQL, _swapped_names),
            Level(
                "Typed as the given name",
                "family_name_l = given_name_r OR family_name_r = given_name_l",
                lambda a, b: a.family_name == b.given_name or b.family_name == a.given_name,
            ),
            Level(
                "Shares a part of a double name",
                "list_has_any(family_parts_l, family_parts_r)",
                lambda a, b: _shares(a.family_parts, b.family_parts),
            ),
            Level(
                f"Jaro-Winkler at least {NAME_SIMILAR}",
                f"jaro_winkler_similarity(family_name_l, family_name_r) >= {NAME_SIMILAR}",
                lambda a, b: _jw(a.family_name, b.family_name) >= NAME_SIMILAR,
            ),
            Level(
                "One letter typed wrong",
                "damerau_levenshtein(family_name_l, family_name_r) <= 1",
                lambda a, b: _typed_wrong(a.family_name, b.family_name),
            ),
            Level(
                "Sounds the same",
                "family_phonetic_l = family_phonetic_r",
                lambda a, b: a.family_phonetic is not None and a.family_phonetic == b.family_phonetic,
            ),
            _else(),
        ),
    ),
    Comparison(
        "dob",
        "Date of birth",
        (
            Level(
                "Date of birth missing",
                "dob_l IS NULL OR dob_r IS NULL",
                lambda a, b: a.dob is None or b.dob is None,
                null=True,
            ),
            Level("Exact", "dob_l = dob_r", lambda a, b: a.dob == b.dob),
            Level("Day and month swapped", "dob_swapped_l = dob_r", lambda a, b: a.dob_swapped == b.dob),
            Level(
                "One character different",
                "levenshtein(dob_l, dob_r) <= 1",
                lambda a, b: jellyfish.levenshtein_distance(a.dob or "", b.dob or "") <= 1,
            ),
            Level(
                "Two characters different",
                "levenshtein(dob_l, dob_r) <= 2",
                lambda a, b: jellyfish.levenshtein_distance(a.dob or "", b.dob or "") <= 2,
            ),
            _else(),
        ),
    ),
    Comparison(
        "sex",
        "Sex",
        (
            Level(
                "Sex not known",
                "sex_l IS NULL OR sex_r IS NULL",
                lambda a, b: a.sex is None or b.sex is None,
                True,
            ),
            Level("Same", "sex_l = sex_r", lambda a, b: a.sex == b.sex),
            _else(),
        ),
    ),
    Comparison(
        "postcode",
        "Postcode, now or before",
        (
            Level(
                "No postcode",
                "coalesce(len(postcodes_l), 0) = 0 OR coalesce(len(postcodes_r), 0) = 0",
                lambda a, b: not a.postcodes or not b.postcodes,
                null=True,
            ),
            Level(
                "A postcode in common",
                "list_has_any(postcodes_l, postcodes_r)",
                lambda a, b: _shares(a.postcodes, b.postcodes),
            ),
            Level(
                "A postcode district in common",
                "list_has_any(outcodes_l, outcodes_r)",
                lambda a, b: _shares(a.outcodes, b.outcodes),
            ),
            _else(),
        ),
    ),
)

# Pairs Splink scores in training; intake's candidate keys (matching.keys) follow the dedupe's narrower rules below.
BLOCKING_RULES_SQL = (
    "l.dob = r.dob",
    "l.dob_swapped = r.dob",
    "l.family_phonetic = r.family_phonetic AND l.birth_year = r.birth_year",
    "l.given_phonetic = r.family_phonetic AND l.birth_year = r.birth_year",
    "l.given_phonetic = r.given_phonetic AND l.family_phonetic = r.family_phonetic",
)
# The batch dedupe's blocking over a whole area, tighter than intake's (keys.py), which looks up one person: at
# a million people a date of birth alone is shared by about 150 children (18 years of birthdays), a common
# family name and year of birth by hundreds, so those blocks are tens of millions of pairs. Each block here asks
# for one more thing in common: a first letter (of the family name, or of the given name: a nickname or a new
# family name keeps the other), or, for names typed the other way round, both names crossed. What this leaves
# out (a wrong date of birth with a nickname of another letter; both names changed) is rare (bench/dedupe.py).
DEDUPE_BLOCKING_RULES_SQL = (
    "l.dob = r.dob AND substr(l.family_name, 1, 1) = substr(r.family_name, 1, 1)",
    "l.dob = r.dob AND substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1)",
    "l.dob_swapped = r.dob AND substr(l.family_name, 1, 1) = substr(r.family_name, 1, 1)",
    "l.family_phonetic = r.family_phonetic AND l.birth_year = r.birth_year"
    " AND substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1)",
    "l.given_phonetic = r.family_phonetic AND l.family_phonetic = r.given_phonetic",
    "l.given_phonetic = r.given_phonetic AND l.family_phonetic = r.family_phonetic",
)


def splink_settings(probability_two_random_records_match: float = 1e-4) -> dict[str, Any]:
    """The Splink settings for these comparisons (untrained: Splink fills in m and u)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": probability_two_random_records_match,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in BLOCKING_RULES_SQL
        ],
        "comparisons": [
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": [
                    {"sql_condition": level.sql, "label_for_charts": level.label}
                    | ({"is_null_level": True} if level.null else {})
                    for level in comparison.levels
                ],
            }
            for comparison in COMPARISONS
        ],
        "retain_intermediate_calculation_columns": True,
    }


class ModelMismatch(Exception):
    """The stored model was trained on other comparisons than these: retrain it."""


@dataclass(frozen=True)
class TrainedModel:
    prior_weight: float  # log2 of the prior odds that two records are one person
    # One list per comparison: each level's match weight (log2 of m/u; 0 for the null level).
    weights: tuple[tuple[float, ...], ...]
    trained_on: str

    @classmethod
    def from_splink_json(cls, data: dict[str, Any]) -> "TrainedModel":
        stored = data["comparisons"]
        if [c["output_column_name"] for c in stored] != [c.name for c in COMPARISONS]:
            raise ModelMismatch("the model's comparisons are not this matcher's")
        weights = []
        for comparison, saved in zip(COMPARISONS, stored, strict=True):
            levels = saved["comparison_levels"]
            if [level["label_for_charts"] for level in levels] != [
                level.label for level in comparison.levels
            ]:
                raise ModelMismatch(f"the model's levels for {comparison.name} are not this matcher's")
            # A level never seen among random pairs (names swapped) has no u: it is taken to be as rare by
            # chance as the comparison's exact agreement (level 1), which it is a transposition of.
            exact_u = levels[1].get("u_probability")
            row = []
            for level in levels:
                m, u = level.get("m_probability"), level.get("u_probability") or exact_u
                row.append(0.0 if level.get("is_null_level") or not m or not u else math.log2(m / u))
            weights.append(tuple(row))
        prior = data["probability_two_random_records_match"]
        return cls(
            prior_weight=math.log2(prior / (1 - prior)),
            weights=tuple(weights),
            trained_on=data.get("openmash_trained_on", "not recorded"),
        )


@cache
def _load(path: Path) -> TrainedModel:
    return TrainedModel.from_splink_json(json.loads(path.read_text()))


def stored_model(path: Path | None = None) -> TrainedModel:
    """The model in use: ``path``, else the setting OPENMASH_MATCHING_MODEL when Django is configured, else the
    model shipped beside this module."""
    if path is None:
        from django.conf import settings

        path = Path(getattr(settings, "MATCHING_MODEL", MODEL_FILE)) if settings.configured else MODEL_FILE
    return _load(Path(path))


_LEVELS = {comparison.name: comparison.levels for comparison in COMPARISONS}
_INDEX = {comparison.name: index for index, comparison in enumerate(COMPARISONS)}
_MUST_AGREE = ("given_name", "dob")


def comparison_vector(a: MatchRecord, b: MatchRecord) -> tuple[int, ...]:
    """For each comparison, the index of the first level that holds (Splink's gamma values, counted from the
    null level as 0 rather than Splink's -1, so they index the levels directly)."""
    vector = []
    for comparison in COMPARISONS:
        for index, level in enumerate(comparison.levels):
            if level.test(a, b):
                vector.append(index)
                break
    return tuple(vector)


@dataclass(frozen=True)
class Score:
    weight: float
    probability: float
    vector: tuple[int, ...]
    levels: tuple[str, ...]  # each comparison's level, in words, for the review queue

    @property
    def may_link_unasked(self) -> bool:
        """Twins share a family name, a home, a date of birth and often a sex: the weights of those add up to
        certainty although only the given name tells the two apart. So however high the score, a link is made
        without asking a person only when the given name and the date of birth agree at some level (or are not
        known); otherwise the pair goes to review."""
        return all(self.vector[_INDEX[name]] != len(_LEVELS[name]) - 1 for name in _MUST_AGREE)


def score(a: MatchRecord, b: MatchRecord, model: TrainedModel | None = None) -> Score:
    return _score(comparison_vector(a, b), model or stored_model())


def best_matches[K](
    record: MatchRecord,
    candidates: Iterable[tuple[K, MatchRecord]],
    model: TrainedModel | None = None,
    *,
    at_least: float | None = None,
) -> list[tuple[K, Score]]:
    """Candidates scored, best first; with ``at_least``, only those whose probability is that or more, each
    left as soon as what is left to compare cannot lift it there (the same list as scoring all of them and
    dropping the rest: at national volume most candidates of a common name are a different child, and
    scoring them whole was most of the matching)."""
    model = model or stored_model()
    if at_least is None:
        scored = [(key, score(record, candidate, model)) for key, candidate in candidates]
    else:
        scored = []
        floor = math.log2(at_least / (1 - at_least)) - 1e-9  # the weight of that probability
        order, still_possible = _bounds(model)
        for key, candidate in candidates:
            vector = [0] * len(COMPARISONS)
            weight = model.prior_weight
            for position, index in enumerate(order):
                vector[index] = level = _level(COMPARISONS[index], record, candidate)
                weight += model.weights[index][level]
                if weight + still_possible[position] < floor:
                    break
            else:
                scored.append((key, _score(tuple(vector), model)))
    scored.sort(key=lambda item: item[1].weight, reverse=True)
    return scored


# Compared first when candidates are left early: the date of birth, sex and postcode are quick and tell most
# strangers apart; the names' string measures are the dear part.
_EARLY = ("dob", "sex", "postcode", "family_name", "given_name")


def _bounds(model: TrainedModel) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The order the comparisons are made in, and after each the most the rest could still add."""
    found = _bounds_of.get(id(model))
    if found is None or found[0] is not model:
        order = tuple(_INDEX[name] for name in _EARLY)
        assert sorted(order) == list(range(len(COMPARISONS)))
        best = [max(model.weights[index]) for index in order]
        rest = tuple(sum(best[position + 1 :]) for position in range(len(order)))
        found = _bounds_of[id(model)] = (model, order, rest)
    return found[1], found[2]


_bounds_of: dict[int, tuple[TrainedModel, tuple[int, ...], tuple[float, ...]]] = {}


def _level(comparison: Comparison, a: MatchRecord, b: MatchRecord) -> int:
    for index, level in enumerate(comparison.levels):
        if level.test(a, b):
            return index
    raise AssertionError(f"no level of {comparison.name} holds")  # the last level always holds


def _score(vector: tuple[int, ...], model: TrainedModel) -> Score:
    weight = model.prior_weight + sum(model.weights[i][level] for i, level in enumerate(vector))
    probability = 1 / (1 + 2 ** (-weight))
    labels = tuple(COMPARISONS[i].levels[level].label for i, level in enumerate(vector))
    return Score(weight, probability, vector, labels)
