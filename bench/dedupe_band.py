"""Which of the batch dedupe's pairs are worth a person's question: precision and recall of the review queue
against the synthetic truth, for several ways of choosing (issue 14; docs/performance.md).

The records are bench/dedupe.py's (seed 11, a tenth of the children recorded twice); Splink scores their
blocked pairs (``matching.training.likely_pairs``, as ``openmash people dedupe`` does) at or above 0.01, and
the intake scorer reads each pair's levels.

    python bench/dedupe_band.py --people 100000
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import django_in_process  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of children recorded twice")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    django_in_process("", "openmash-bench-band-")
    from django.conf import settings

    from openmash.matching import synthetic
    from openmash.matching.evaluation import as_record
    from openmash.matching.model import score
    from openmash.matching.training import likely_pairs
    from openmash.merging.dedupe import worth_asking

    generator = synthetic.Generator(args.seed)
    every = round(1 / args.duplicates) if args.duplicates else 0
    records, truth = [], {}
    for children in generator.families(args.people):
        for child in children:
            twice = bool(every) and child.child % every == 0
            for typed in [generator.typed(child)] + ([generator.typed(child)] if twice else []):
                key = str(len(records))
                records.append((key, as_record(typed)))
                truth[key] = typed.child
        if len(records) >= args.people:
            break
    true_pairs = sum(count == 2 for count in Counter(truth.values()).values())
    began = time.perf_counter()
    pairs = likely_pairs(records, settings.MATCHING_MODEL, 0.01)
    print(
        f"{len(records):,} records, {true_pairs:,} children recorded twice; Splink found {len(pairs):,} pairs "
        f"at or above 0.01 in {time.perf_counter() - began:.0f} s"
    )
    by_id = dict(records)
    scored = [(probability, score(by_id[a], by_id[b]), truth[a] == truth[b]) for a, b, probability in pairs]
    review = settings.MATCHING_REVIEW
    ways = {
        f"probability at least {review}": lambda p, s: p >= review,
        "probability at least 0.95": lambda p, s: p >= 0.95,
        "probability at least 0.99": lambda p, s: p >= 0.99,
        f"at least {review}, given name and date of birth agreeing (the twins rule)": lambda p, s: (
            p >= review and s.may_link_unasked
        ),
        f"at least {review} and worth_asking (as the dedupe asks)": lambda p, s: (
            p >= review and worth_asking(s)
        ),
    }
    for name, chosen in ways.items():
        asked = [same for probability, found, same in scored if chosen(probability, found)]
        right = sum(asked)
        print(
            f"{name}: {len(asked):,} questions, {right:,} truly one child: precision "
            f"{right / max(1, len(asked)):.3f}, recall {right / max(1, true_pairs):.3f}"
        )


if __name__ == "__main__":
    main()
