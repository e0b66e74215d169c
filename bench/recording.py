"""The recording path in one process, one thread: what each step costs an incident, without the server.

    .venv/bin/python bench/recording.py                     # SQLite, in a fresh temporary database
    .venv/bin/python bench/recording.py --database-url postgres://postgres@127.0.0.1:54331/recording --recreate

The ingest benchmark (bench/ingest.py) measures the service as it runs, where the steps share two cores with
each other and everything else, and its figures drift with the machine. This one times each step alone, the
best of several rounds of CPU time, so that a change to one step can be measured on its own:

1. check and plan: ``event_check`` and ``_plan`` of the ingest benchmark's incident (reads only);
2. write: ``_write_together`` of planned incidents in groups of GROUP, as the group-commit writer does;
3. deliver: the worker's ``run_once`` over what was written (inbox, alert).

It prepares the database the way bench/ingest.py does (the same commands, the same incident). With
``--matching both`` it times check-and-plan and write with matching at intake off and on
(OPENMASH_MATCHING_AT_INTAKE; issue 14), alternating rounds so that the machine's load falls on both alike,
against ``--indexed`` generated people already in the match index (bench/matching.py's generator).
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest
import matching as matching_bench


def best_of(rounds: int, each: int, step) -> float:
    """The least CPU time an item over ``rounds`` rounds of ``each`` items, in milliseconds."""
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        step(each)
        best = min(best, (time.process_time() - began) / each)
    return 1000 * best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--recreate", action="store_true", help="drop and create the --database-url database")
    parser.add_argument("--group", type=int, default=8, help="incidents written in one transaction")
    parser.add_argument("--each", type=int, default=400, help="incidents a round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--matching",
        choices=("on", "off", "both"),
        default="on",
        help="matching people at intake (OPENMASH_MATCHING_AT_INTAKE); both: each step timed with it off and on",
    )
    parser.add_argument("--indexed", type=int, default=0, help="generated people in the match index first")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp()
    database_url = args.database_url or f"sqlite:///{var_dir}/recording.sqlite3"
    env = ingest.environment(database_url, var_dir)
    if database_url.startswith("postgres"):
        ingest.fresh_postgres(database_url, args.recreate)
    tokens = ingest.prepare(env)
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "openmash.settings"})

    import django

    django.setup()
    from django.conf import settings

    from openmash.accounts.actors import actor_for_api_client
    from openmash.accounts.services import api_client_authenticate
    from openmash.api.sharing import DomesticAbuseIn, domestic_abuse_input
    from openmash.recording import services
    from openmash.sharing import delivery

    client = api_client_authenticate(tokens["police"])
    assert client is not None
    actor = actor_for_api_client(client)
    counter = iter(range(10**9))

    def checked():
        # What the API endpoint hands to event_record for the benchmark's incident.
        payload = DomesticAbuseIn(**ingest.incident(next(counter)))
        return services.event_check(actor=actor, data=domestic_abuse_input(payload))

    def plan(count: int) -> None:
        for _ in range(count):
            services._plan([checked()])

    planned: list = []

    def write(count: int) -> None:
        ready = [
            services._Recording(item, None, services._plan([item]))
            for item in (checked() for _ in range(count))
        ]
        began = time.process_time()
        for start in range(0, count, args.group):
            services._write_together(ready[start : start + args.group])
        planned.append((time.process_time() - began) / count)

    def deliver(count: int) -> None:
        while delivery.run_once("bench", delivery.BATCH_SIZE):
            pass

    if args.indexed:
        matching_bench.index_generated(args.indexed, seed=17)
    plan(50)  # the first of each step imports and compiles what it needs
    results: dict[str, object] = {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite"
    }
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.matching]
    plans: dict[bool, float] = {}
    writes: dict[bool, float] = {}
    for _ in range(args.rounds):
        for mode in modes:
            settings.MATCHING_AT_INTAKE = mode
            plans[mode] = min(plans.get(mode, float("inf")), best_of(1, args.each, plan))
            planned.clear()
            write(args.each)
            writes[mode] = min(writes.get(mode, float("inf")), 1000 * planned[0])
    for mode in modes:
        tail = "" if len(modes) == 1 else ("_matching_on" if mode else "_matching_off")
        results[f"check_and_plan{tail}_ms"] = round(plans[mode], 3)
        results[f"write_in_groups_of_{args.group}{tail}_ms"] = round(writes[mode], 3)
    if len(modes) == 2:
        off = plans[False] + writes[False]
        results["recording_slower_with_matching"] = f"{(plans[True] + writes[True]) / off - 1:.1%}"
    settings.MATCHING_AT_INTAKE = modes[-1]
    planned.clear()
    delivery_times = []
    for _ in range(args.rounds):
        write(args.each)
        began = time.process_time()
        deliver(args.each)
        delivery_times.append((time.process_time() - began) / args.each)
    results["indexed_people"] = args.indexed
    results["deliver_ms"] = round(1000 * min(delivery_times), 3)
    print(results)


if __name__ == "__main__":
    main()
