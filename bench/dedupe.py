"""How long the batch dedupe (`openmash people dedupe --area CODE`) takes over an area's people (issue 14: a
million under 10 minutes on this machine).

PEOPLE generated people (openmash.matching.synthetic: families sharing a name and a home, twins, and the errors
agencies make) are written in bulk to a throwaway database as the person planner keeps them: the person, the
council's recorded reason to see them, their match features and candidate keys (the match index). DUPLICATES of
them are a child already there typed again by another agency. Then the command itself runs, timed stage by stage,
and the pairs it put to review are counted against the known truth.

    python bench/dedupe.py --people 1000000
    python bench/dedupe.py --people 100000 --database-url postgres://postgres@127.0.0.1:54342/bench
"""

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import django_in_process  # noqa: E402


def generate(people: int, duplicates: float, seed: int) -> tuple[object, dict[str, int]]:
    """Write ``people`` records in bulk; returns the council and each person's true child."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from openmash.access.models import AccessReason, ReasonKind
    from openmash.database import inserts_run, objects_insert, rows_insert
    from openmash.lib.ids import new_id
    from openmash.matching import synthetic
    from openmash.matching.evaluation import as_record
    from openmash.matching.features import to_json
    from openmash.matching.keys import stored_keys
    from openmash.matching.models import MatchKey, MatchProfile
    from openmash.organisations.models import Organisation
    from openmash.people.models import Person

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    council = Organisation.objects.get(code="E06000004")
    generator = synthetic.Generator(seed)
    truth: dict[str, int] = {}
    batch: list[tuple[object, synthetic.Typed]] = []
    now = timezone.now()
    started = time.perf_counter()
    every = round(1 / duplicates) if duplicates else 0

    def flush() -> None:
        # The recording path's own fast inserts (openmash.database), a thousand rows a statement.
        records = [(pk, as_record(typed)) for pk, typed in batch]
        people = [
            Person(
                id=pk,
                given_name=typed.given_name,
                family_name=typed.family_name,
                date_of_birth=typed.date_of_birth,
                sex=typed.sex or "U",
                recorded_by=council,
            )
            for pk, typed in batch
        ]
        reasons = [(council.pk, pk, ReasonKind.RECORDED_PERSON, "", now, "bench", False) for pk, _ in batch]
        profiles = [(pk, to_json(record)) for pk, record in records]
        keys = [(pk, key) for pk, record in records for key in stored_keys(record)]
        inserts = []
        for at in range(0, len(people), 1_000):
            inserts.append(objects_insert(Person, people[at : at + 1_000]))
            inserts.append(
                rows_insert(
                    AccessReason,
                    (
                        "organisation_id",
                        "person_id",
                        "kind",
                        "detail",
                        "granted_at",
                        "granted_by",
                        "covers_restricted",
                    ),
                    reasons[at : at + 1_000],
                )
            )
            inserts.append(rows_insert(MatchProfile, ("person_id", "features"), profiles[at : at + 1_000]))
        for at in range(0, len(keys), 2_000):
            inserts.append(rows_insert(MatchKey, ("person_id", "key"), keys[at : at + 2_000]))
        with transaction.atomic():
            inserts_run(inserts)
        batch.clear()

    made = 0
    for children in generator.families(people):
        for child in children:
            for typed in [generator.typed(child)] + (
                [generator.typed(child)] if every and (child.child % every == 0) else []
            ):
                pk = new_id()
                batch.append((pk, typed))
                truth[str(pk)] = typed.child
                made += 1
        if len(batch) >= 10_000:
            flush()
            print(f"\r  recorded {made:,} people", end="", flush=True)
        if made >= people:
            break
    flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\r  recorded {made:,} people with their match index in {time.perf_counter() - started:.0f} s")
    return council, truth


def run(council: object, truth: dict[str, int]) -> None:
    from django.db import connection

    from openmash.merging.dedupe import dedupe
    from openmash.merging.models import MatchReview

    stages: dict[str, float] = {}
    began = time.perf_counter()
    last = [began]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now
        if total and done == total:
            print(f"  {stage}: {done:,} ({stages[stage]:.0f} s)", flush=True)

    result = dedupe(area=council, progress=progress)  # type: ignore[arg-type]
    took = time.perf_counter() - began
    reviews = list(MatchReview.objects.values_list("arriving_id", "candidate_id"))
    same = sum(truth.get(str(a)) == truth.get(str(b)) for a, b in reviews)
    print(
        f"dedupe: {result.people:,} people on {connection.vendor} in {took:.0f} s ({took / 60:.1f} minutes): "
        f"{result.pairs:,} likely pairs, {result.not_asked:,} not worth asking (twins, siblings, namesakes: "
        f"merging.dedupe.worth_asking), {result.raised:,} put to review, {same:,} of them truly one child "
        f"(of {sum(count == 2 for count in Counter(truth.values()).values()):,} children recorded twice)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of children recorded twice")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default="", help="default: a throwaway SQLite file")
    args = parser.parse_args()
    django_in_process(args.database_url, "openmash-bench-dedupe-")
    print(f"bench/dedupe.py on {dt.datetime.now(dt.UTC):%-d %B %Y}, load {os.getloadavg()[0]:.1f}")
    council, truth = generate(args.people, args.duplicates, args.seed)
    run(council, truth)


if __name__ == "__main__":
    main()
