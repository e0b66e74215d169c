"""Where an import's CPU goes, step by step, without a profiler's distortion.

cProfile charges every Python call a fixed cost, so a step made of many small calls (checking a row, building
a match record) looks several times dearer than it is, and one that waits in SQLite's C code looks cheaper.
This runs ``openmash import domestic-abuse FILE --org ORG --as history`` with the import's main steps wrapped
in ``time.process_time`` (a few hundred calls each: nothing measurable added) and prints each step's CPU
seconds, nested steps included in their callers' figures.

    DATABASE_URL=sqlite:////tmp/run.sqlite3 .venv/bin/python bench/import_phases.py /tmp/rows10k.csv \
        --org "Cleveland Police"
"""

import argparse
import atexit
import collections
import functools
import sys
import time
from typing import Any

import django

from openmash import cli

spent: dict[str, float] = collections.defaultdict(float)
started = time.process_time()


def _timed(owner: Any, name: str, label: str = "") -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label or name] += time.process_time() - began

    setattr(owner, name, wrapper)


def _wrap_steps() -> None:
    spent["starting (Django, imports)"] = time.process_time() - started
    from django.db.backends.sqlite3.base import DatabaseWrapper  # after django.setup

    from openmash import database
    from openmash.recording import importing, people, services

    for name in ("_stage", "_write_held", "_release", "_plan", "_carry_out_held"):
        _timed(importing, name)
    for name in ("people_of", "_shares", "_access", "_reviewers", "audit_entries"):
        _timed(services, name)
    for name in ("_match_everyone", "_plan_new_people", "candidates_of_many", "_likeness"):
        _timed(people, name)
    _timed(people._Matcher, "prepare", "_Matcher.prepare")
    _timed(database.Insert, "run", "Insert.run (the database inserting)")
    _timed(DatabaseWrapper, "_commit", "commit (SQLite)")

    def show() -> None:
        spent["total"] = time.process_time()
        for label, seconds in spent.items():
            print(f"{seconds:7.3f} s CPU  {label}", file=sys.stderr)

    atexit.register(show)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--org", default="Cleveland Police")
    args = parser.parse_args()
    setup = django.setup

    def setup_then_wrap(*a: Any, **k: Any) -> None:
        setup(*a, **k)
        _wrap_steps()

    django.setup = setup_then_wrap
    cli.main(["openmash", "import", "domestic-abuse", args.file, "--org", args.org, "--as", "history"])


if __name__ == "__main__":
    main()
