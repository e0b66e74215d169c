"""Training the matching model with Splink (DuckDB on one machine), and Splink's batch scoring of every likely
pair for the dedupe. Unsupervised: u from random pairs, m by expectation maximisation over blocked pairs, so an
area retrains on its own records with no labelled examples (``openmash matching train``)."""

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openmash.matching.features import MatchRecord
from openmash.matching.model import (
    COMPARISONS,
    DEDUPE_BLOCKING_RULES_SQL,
    MODEL_FILE,
    splink_settings,
)

# Expectation maximisation sessions, each fixing the comparisons it blocks on (Splink cannot learn the m of a
# comparison from pairs chosen because they agree on it).
_TRAINING_BLOCKS = (
    "l.dob = r.dob",
    "l.family_phonetic = r.family_phonetic AND l.given_phonetic = r.given_phonetic",
    "l.family_name = r.family_name AND l.birth_year = r.birth_year",
)


def _linker(records: Iterable[tuple[str, MatchRecord]], settings: dict[str, Any] | str) -> Any:
    from splink import Linker
    from splink.backends.duckdb import DuckDBAPI

    rows = [record.as_row(key) for key, record in records]
    api = DuckDBAPI()
    table = api.register(rows, table_name="people")
    return Linker(table, settings, log_level=logging.WARNING)


def train(
    records: Iterable[tuple[str, MatchRecord]],
    *,
    trained_on: str,
    out: Path = MODEL_FILE,
    probability_two_random_records_match: float = 1e-4,
    seed: int = 1,
) -> dict[str, Any]:
    """Fit m and u on ``records`` and write the model to ``out`` (Splink's own JSON, with a note of what it was
    trained on). Returns the model."""
    from splink import block_on  # noqa: F401  (Splink imported lazily: only training and dedupe need it)

    linker = _linker(records, splink_settings(probability_two_random_records_match))
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=seed)
    for rule in _TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    path = Path(out)
    model = linker.misc.save_model_to_json(overwrite=True)
    _fill_unseen_u(model)
    model["openmash_trained_on"] = trained_on
    path.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    return model


def _fill_unseen_u(model: dict[str, Any]) -> None:
    """A level never met among random pairs (names swapped) has no u: take the comparison's exact level's, so
    Splink's batch scoring and the intake scorer (model.TrainedModel) weigh it alike."""
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        for level in levels:
            if not level.get("is_null_level") and level.get("u_probability") is None:
                level["u_probability"] = levels[1].get("u_probability")


def likely_pairs(
    records: Iterable[tuple[str, MatchRecord]], model_file: Path, threshold: float
) -> list[tuple[str, str, float]]:
    """Every pair of records Splink's blocking finds whose match probability is at least ``threshold`` (the
    batch dedupe: DuckDB on one machine; the same model runs on Spark, docs/deployment.md)."""
    model = json.loads(Path(model_file).read_text())
    model.pop("openmash_trained_on", None)  # our note of what it was trained on: not a Splink setting
    model["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"} for rule in DEDUPE_BLOCKING_RULES_SQL
    ]
    linker = _linker(records, model)
    result = linker.inference.predict(threshold_match_probability=threshold)
    return [
        (row["unique_id_l"], row["unique_id_r"], row["match_probability"]) for row in result.as_record_list()
    ]


def splink_vectors(
    left: list[MatchRecord], right: list[MatchRecord], model: dict[str, Any] | None = None
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Splink's comparison vector for every pair of ``left`` and ``right`` (level indexes counted from the null
    level as 0), to check the intake scorer's Python tests against the SQL Splink runs."""
    linker = _linker([(f"l{i}", record) for i, record in enumerate(left)], model or splink_settings())
    result = linker.inference.score_pairs(
        [record.as_row(f"l{i}") for i, record in enumerate(left)],
        [record.as_row(f"r{j}") for j, record in enumerate(right)],
    )
    vectors = {}
    for row in result.as_record_list():
        key = (int(row["unique_id_l"][1:]), int(row["unique_id_r"][1:]))
        vectors[key] = tuple(
            _gamma_to_index(row[f"gamma_{comparison.name}"], len(comparison.levels))
            for comparison in COMPARISONS
        )
    return vectors


def _gamma_to_index(gamma: int, levels: int) -> int:
    # Splink numbers the null level -1 and the others from the last (ELSE = 0) upwards.
    return 0 if gamma == -1 else levels - 1 - gamma
