"""How well and how fast a person is matched at intake (issue 14).

Quality: generated people with known truth (openmash.matching.synthetic: nicknames, typos, swapped names,
double family names, day/month swaps, moves, missing details, siblings and twins sharing a family name, a home
and, for twins, a date of birth) scored with the shipped model at the thresholds in settings: precision of
automatic links, recall, and the share sent to a person to decide.

Speed: PEOPLE people recorded in a throwaway database (their match features and candidate keys as intake keeps
them), then ARRIVING records matched one at a time as intake does (candidate lookup in the database, then
scoring): milliseconds per person at p50, p95 and p99.

    python bench/matching.py                       # 1,000,000 people on SQLite
    python bench/matching.py --people 100000 --database-url postgres://postgres@127.0.0.1:54331/bench
"""

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import django_in_process, percentile  # noqa: E402


def quality(families: int, seed: int) -> None:
    from django.conf import settings

    from openmash.matching import evaluation, synthetic

    started = time.perf_counter()
    data = synthetic.intake_set(families, seed=seed)
    outcome = evaluation.evaluate(
        data, evaluation.Thresholds(settings.MATCHING_LINK, settings.MATCHING_REVIEW)
    )
    print(
        f"quality: {outcome.arriving:,} records arriving for {len(data.recorded):,} recorded people "
        f"(seed {seed}): precision {outcome.precision:.4f}, recall {outcome.recall:.4f}, "
        f"sent to review {outcome.review_share:.2%} ({time.perf_counter() - started:.0f} s)"
    )


def index_generated(people: int, seed: int, keep: int = 0, write: bool = True) -> tuple[int, list]:
    """Record ``people`` generated people in bulk (the person rows and their match index rows, as the person
    planner writes them), 5,000 a transaction. Returns how many, and the first ``keep`` true children (to
    type again as arrivals)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from openmash.database import inserts_run, rows_insert
    from openmash.lib.ids import new_id
    from openmash.matching import synthetic
    from openmash.matching.evaluation import as_record
    from openmash.matching.models import MatchKey, MatchProfile
    from openmash.matching.services import index_rows
    from openmash.organisations.models import Organisation
    from openmash.people.models import Person
    from openmash.people.planner import _PERSON_COLUMNS

    council = Organisation.objects.filter(kind="council").first()
    generator = synthetic.Generator(seed)
    started = time.perf_counter()
    recorded: list[synthetic.Typed] = []
    made = 0
    batch: list[tuple[object, synthetic.Typed]] = []

    def flush() -> None:
        # The fast insert path recording uses (openmash.database.rows_insert), not the ORM: a million people
        # and their dozen keys each in minutes rather than the better part of an hour.
        now = timezone.now()
        profiles, keys = index_rows((pk, as_record(typed)) for pk, typed in batch)
        with transaction.atomic():
            inserts_run(
                [
                    rows_insert(
                        Person,
                        _PERSON_COLUMNS,
                        [
                            (
                                pk,
                                "child",
                                typed.date_of_birth,
                                None,
                                typed.sex or "U",
                                "NOBT",
                                "",
                                typed.given_name,
                                typed.family_name,
                                council.pk,
                                now,
                                now,
                            )
                            for pk, typed in batch
                        ],
                    ),
                    rows_insert(MatchProfile, ("person_id", "features"), profiles),
                    rows_insert(MatchKey, ("person_id", "key"), keys),
                ]
            )
        batch.clear()

    if not write:  # the database holds them already (--reuse): only the children to type again
        for children in generator.families(people):
            for child in children:
                generator.typed(child)
                if len(recorded) < keep:
                    recorded.append(child)
            if len(recorded) >= keep:
                break
        return Person.objects.count(), recorded
    for children in generator.families(people):
        for child in children:
            typed = generator.typed(child)
            batch.append((new_id(), typed))
            if len(recorded) < keep:
                recorded.append(child)
            made += 1
        if len(batch) >= 5_000:
            flush()
            print(f"\r  recorded {made:,} people", end="", flush=True)
        if made >= people:
            break
    flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\r  recorded {made:,} people in {time.perf_counter() - started:.0f} s")
    return made, recorded


def speed(people: int, arriving: int, seed: int, reuse: bool = False) -> None:
    """Intake against ``people``: the matcher alone (candidate lookup and scoring), and recording's whole
    matching step for one person (``recording.people._match_everyone``: the identifier rule, then likeness,
    then what the recorder may see of the record found)."""
    from django.core.management import call_command
    from django.db import connection

    from openmash.accounts.actors import operator_actor
    from openmash.events.models import EventKind, SubjectRole
    from openmash.matching import synthetic
    from openmash.matching.evaluation import as_record
    from openmash.matching.model import best_matches, stored_model
    from openmash.matching.selectors import candidates
    from openmash.organisations.models import Organisation
    from openmash.recording.checks import CheckedEvent, EventInput, PersonInput
    from openmash.recording.people import _match_everyone

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    made, recorded = index_generated(people, seed, keep=arriving, write=not reuse)
    generator = synthetic.Generator(seed + 1000)
    model = stored_model()
    # Half of what arrives is a recorded child typed again by another agency, half a stranger.
    arrivals = [generator.typed(child) for child in recorded[: arriving // 2]]
    for children in generator.families(arriving):
        arrivals.extend(children)
        if len(arrivals) >= arriving:
            break
    timings, found = [], 0
    for typed in arrivals:
        began = time.perf_counter()
        record = as_record(typed)
        scored = best_matches(record, candidates(record), model)
        timings.append((time.perf_counter() - began) * 1000)
        found += bool(scored)
    print(
        f"speed: matching one arriving person against {made:,} people on {connection.vendor}: "
        f"p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"p99 {percentile(timings, 0.99):.1f} ms over {len(timings):,} arrivals ({found:,} with candidates)"
    )
    # The same arrivals through intake's own step, as a health trust's referral to a council names them.
    health = Organisation.objects.filter(kind="health-trust").first() or Organisation.objects.first()
    council = Organisation.objects.filter(kind="council").first()
    actor = operator_actor(health)
    timings, linked = [], 0
    for typed in arrivals:
        checked = CheckedEvent(
            actor=actor,
            data=EventInput(
                kind=EventKind.REFERRAL,
                occurred_at=None,
                people=[
                    PersonInput(
                        role=SubjectRole.CHILD,
                        given_name=typed.given_name,
                        family_name=typed.family_name,
                        date_of_birth=typed.date_of_birth,
                    )
                ],
            ),
            council=council,
            related=None,
        )
        began = time.perf_counter()
        matched = _match_everyone([checked])
        timings.append((time.perf_counter() - began) * 1000)
        linked += matched.found[0][0] is not None
    print(
        f"intake: recording's matching step (recording.people) for one person against {made:,} people on "
        f"{connection.vendor}: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"p99 {percentile(timings, 0.99):.1f} ms over {len(timings):,} arrivals ({linked:,} linked)"
    )


def batch(people: int, seed: int) -> None:
    """The batch dedupe's scoring: Splink (DuckDB) over every blocked pair of ``people`` generated records."""
    from django.conf import settings

    from openmash.matching import synthetic
    from openmash.matching.evaluation import as_record
    from openmash.matching.training import likely_pairs

    generator = synthetic.Generator(seed)
    records = []
    for children in generator.families(people):
        for child in children:
            records.append((str(len(records)), as_record(generator.typed(child))))
            if len(records) % 2 == 0:  # about a third of children recorded twice
                records.append((str(len(records)), as_record(generator.typed(child))))
        if len(records) >= people:
            break
    started = time.perf_counter()
    pairs = likely_pairs(records, settings.MATCHING_MODEL, settings.MATCHING_REVIEW)
    took = time.perf_counter() - started
    print(
        f"batch: Splink scored {len(records):,} records' likely pairs in {took:.0f} s "
        f"({len(pairs):,} pairs at or above {settings.MATCHING_REVIEW})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--families", type=int, default=20_000, help="generated families for the quality run")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--arriving", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database-url", default="", help="default: a throwaway SQLite file")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="--database-url holds a run's people already (same --people and --seed): measure only",
    )
    parser.add_argument("--batch", type=int, default=0, metavar="PEOPLE", help="also time the batch dedupe")
    args = parser.parse_args()
    django_in_process(args.database_url, "openmash-bench-matching-")
    print(f"bench/matching.py on {dt.datetime.now(dt.UTC):%-d %B %Y}")
    if not args.skip_quality:
        quality(args.families, args.seed)
    if not args.skip_speed:
        speed(args.people, args.arriving, args.seed + 1, reuse=args.reuse)
    if args.batch:
        batch(args.batch, args.seed + 2)


if __name__ == "__main__":
    main()
