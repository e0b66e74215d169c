"""The batch rule on plain rows (key, sender, shared at, reported at; microseconds): runs are found by shared at
alone, so shares shared at the same moment may come in any order and the batches are the same as the
definition's (docs/metrics.md, batched_pct: per sender, in shared-at order, each within 15 minutes of the one
before, 5 or more, reported more than 24 hours apart)."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.insight.measures import BATCH_GAP_US, BATCH_REPORTED_SPAN_US, BATCH_SIZE, batched_ids

MINUTE = 60 * 10**6
HOUR = 60 * MINUTE


def batched_by_definition(rows: list[tuple[int, int, int, int]]) -> set[int]:
    """The definition written out plainly: each sender's rows ordered by (shared at, key), cut wherever the gap
    to the one before is more than 15 minutes."""
    batched: set[int] = set()
    for sender in {row[1] for row in rows}:
        ordered = sorted((row for row in rows if row[1] == sender), key=lambda row: (row[2], row[0]))
        runs: list[list[tuple[int, int, int, int]]] = []
        for row in ordered:
            if runs and row[2] - runs[-1][-1][2] <= BATCH_GAP_US:
                runs[-1].append(row)
            else:
                runs.append([row])
        for run in runs:
            reported = [row[3] for row in run]
            if len(run) >= BATCH_SIZE and max(reported) - min(reported) > BATCH_REPORTED_SPAN_US:
                batched.update(row[0] for row in run)
    return batched


ROWS = st.lists(
    st.tuples(
        st.integers(0, 2),  # sender
        st.integers(0, 12).map(lambda n: n * 4 * MINUTE),  # shared at: 4-minute steps, so ties and gaps of 16
        st.integers(0, 72).map(lambda n: n * HOUR),  # reported at
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(ROWS, st.randoms())
def test_batches_are_the_definitions_whatever_order_ties_come_in(values, rng):
    rows = [(key, sender, shared, reported) for key, (sender, shared, reported) in enumerate(values)]
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert batched_ids(shuffled) == batched_by_definition(rows)


def test_five_shared_at_the_same_moment_about_incidents_days_apart_are_a_batch_and_four_are_not():
    five = [(key, 1, 0, key * 10 * HOUR) for key in range(5)]  # reported over 40 hours
    random.Random(16).shuffle(five)
    assert batched_ids(five) == {0, 1, 2, 3, 4}
    assert batched_ids(five[:4]) == set()
    # A sixteen-minute gap splits the run: two runs of three, neither a batch.
    split = [(key, 1, (key // 3) * 16 * MINUTE, key * 10 * HOUR) for key in range(6)]
    assert batched_ids(split) == set()
