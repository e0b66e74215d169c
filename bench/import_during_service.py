"""What the service answers while a large file is imported.

    .venv/bin/python bench/import_during_service.py                 # SQLite, a fresh temporary database
    .venv/bin/python bench/import_during_service.py --rows 50000 --rate 20
    .venv/bin/python bench/import_during_service.py --rows 1000000 --as history   # the issue's million

It prepares a fresh database (migrate, reference data, demo cast, an API client for Cleveland Police), starts
`openmash serve` and one `openmash worker`, and writes a CSV of ROWS rows (two children an incident). Then:

1. baseline: POST /api/v1/incidents/domestic-abuse at RATE a second (open loop: one request started every
   1/RATE seconds, whatever the answers) for BASELINE seconds, no import running;
2. during: the same posting while `openmash import domestic-abuse FILE --org "Cleveland Police" --as AS`
   runs, until it ends.

With `--as history` (the default) the file is three years of history: incidents spread over the last three
years, each shared an hour after it was reported and handled a day later (the `handled_at` column), so every
share is long overdue by its real times. After the import the worker keeps running for --settle seconds, then
the benchmark counts, for the imported shares, the escalations, the deliveries not marked history and the
delivery attempts: all must be 0. With `--as live` the file is recent incidents, delivered as live work.

It prints, as JSON, the import's rows a second, wall time and peak resident memory, and for each phase the
API's answers: p50, p99 and slowest, and how many were 503 (or any other failure). Figures go in
docs/performance.md.
"""

import argparse
import asyncio
import csv
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from common import environment, percentile, wait_up
from faker import Faker

ROOT = Path(__file__).resolve().parent.parent
OPENMASH = [sys.executable, "-m", "openmash.cli"]


def prepare(env: dict[str, str]) -> str:
    for command in (["migrate", "--no-input"], ["load-reference"], ["demo", "--allow-database-url"]):
        # A fresh, throwaway database: the demo cast may load into it.
        its_env = {**env, "OPENMASH_DEMO": "true"} if command[0] == "demo" else env
        subprocess.run([*OPENMASH, *command], env=its_env, check=True, capture_output=True, cwd=ROOT)
    out = subprocess.run(
        [*OPENMASH, "api-client", "create", "--org", "Cleveland Police", "--name", "bench-import"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return out.strip().splitlines()[-1]


HEADER = [
    "police_reference",
    "occurred_at",
    "reported_at",
    "risk_level",
    "postcode",
    "child_given_name",
    "child_family_name",
    "child_date_of_birth",
    "child_school_urn",
    "child_present",
    "summary",
]


HISTORY = ["shared_at", "handled_at"]
THREE_YEARS = 3 * 365 * 86400


def write_file(path: Path, rows: int, history: bool = False) -> None:
    """Two children an incident, the older at the demo school. Live: recent times, so no share is overdue.
    History: over the last three years, shared an hour after the report and handled a day later."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + (HISTORY if history else []))
        names = Faker("en_GB")
        names.seed_instance(11)
        family = ""
        for n in range(rows):
            incident = n // 2
            if n % 2 == 0:
                family = names.last_name()
            if history:
                occurred = now - dt.timedelta(days=2, seconds=(incident * 7919) % THREE_YEARS)
            else:
                occurred = now - dt.timedelta(hours=2, seconds=incident % 3600)
            shared = occurred + dt.timedelta(minutes=70)
            more = [shared.isoformat(), (shared + dt.timedelta(days=1)).isoformat()] if history else []
            writer.writerow(
                [
                    f"IMP-{incident:06d}",
                    occurred.isoformat(),
                    (occurred + dt.timedelta(minutes=10)).isoformat(),
                    ("standard", "medium", "high")[incident % 3],
                    "TS18 1AA",
                    # Names as an area's are (Faker's British names, seeded): children all called "Child"
                    # "Import" and a number would be, to the matcher at intake, one child (it folds digits away).
                    names.first_name(),
                    family,
                    # Dates of birth spread as a real area's are: every child of the file born on one of two
                    # days would be, to the matcher at intake, thousands of candidates for each child.
                    (
                        dt.date(2009, 1, 1)
                        + dt.timedelta(days=(incident * 37) % 2500 + (0 if n % 2 == 0 else 2900))
                    ).isoformat(),
                    "900001" if n % 2 == 0 else "",
                    "yes",
                    "Imported incident",
                    *more,
                ]
            )


def incident() -> dict:
    tag = uuid.uuid4().hex[:8]
    now = dt.datetime.now(dt.UTC)
    return {
        "police_reference": f"LIVE-{tag}",
        "occurred_at": (now - dt.timedelta(minutes=20)).isoformat(),
        "reported_at": (now - dt.timedelta(minutes=10)).isoformat(),
        "risk_level": "medium",
        "postcode": "TS18 1AA",
        "summary": "Live incident during an import",
        "children": [
            {
                "given_name": f"Live{tag}",
                "family_name": "Bench",
                "date_of_birth": "2015-04-02",
                "present": True,
            }
        ],
    }


async def post_steadily(base: str, token: str, rate: float, until: asyncio.Event, most: float) -> dict:
    """Start a POST every 1/rate seconds until told to stop (or `most` seconds); the answers' figures."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:

        async def one() -> None:
            began = time.perf_counter()
            try:
                response = await client.post("/api/v1/incidents/domestic-abuse", json=incident())
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

        tasks = []
        started = time.perf_counter()
        n = 0
        while not until.is_set() and time.perf_counter() - started < most:
            tasks.append(asyncio.create_task(one()))
            n += 1
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
    return {
        "requests": len(latencies),
        "seconds": round(time.perf_counter() - started, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=0), 1),
        "statuses": statuses,
        "503s": statuses.get("503", 0),
    }


async def during_import(base: str, token: str, rate: float, command: list[str], env: dict[str, str]) -> dict:
    done = asyncio.Event()
    began = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )

    async def wait() -> tuple[bytes, bytes]:
        out, err = await process.communicate()
        done.set()
        return out, err

    peak = {"kb": 0}

    async def watch_memory() -> None:  # the import's resident memory, sampled every 0.2 s
        status = Path(f"/proc/{process.pid}/status")
        while not done.is_set():
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        peak["kb"] = max(peak["kb"], int(line.split()[1]))
            except OSError:
                pass
            await asyncio.sleep(0.2)

    waited, api, _ = await asyncio.gather(
        wait(), post_steadily(base, token, rate, done, 3600), watch_memory()
    )
    seconds = time.perf_counter() - began
    return {
        "import_seconds": round(seconds, 1),
        "import_peak_rss_mb": round(peak["kb"] / 1024),
        "import_output": waited[0].decode().strip(),
        "import_errors": waited[1].decode().strip()[-2000:],
        "import_exit": process.returncode,
        "api": api,
    }


CAUSED = """
import json
import django
django.setup()
from openmash.events.models import Event
from openmash.sharing.models import Delivery, DeliveryAttempt, DeliveryStatus, Escalation, Share
imported = Share.objects.filter(event__reference__startswith="IMP-")
deliveries = Delivery.objects.filter(share__in=imported)
print(json.dumps({
    "events": Event.objects.filter(reference__startswith="IMP-").count(),
    "shares": imported.count(),
    "shares_as": sorted(set(imported.values_list("imported_as", flat=True))),
    "escalations": Escalation.objects.filter(share__in=imported).count(),
    "deliveries_not_history": deliveries.exclude(status=DeliveryStatus.HISTORY).count(),
    "delivery_attempts": DeliveryAttempt.objects.filter(delivery__in=deliveries).count(),
}))
"""


def caused_by_import(env: dict[str, str]) -> dict:
    """What the imported shares caused: escalations, deliveries sent or waiting, attempts (all 0 as history)."""
    out = subprocess.run(
        [sys.executable, "-c", CAUSED],
        env={**env, "DJANGO_SETTINGS_MODULE": "openmash.settings"},
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=20, help="API posts a second, during both phases")
    parser.add_argument("--baseline", type=float, default=15, help="seconds of posting with no import")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--log", default="/tmp/openmash-bench-import.log", help="server and worker output")
    parser.add_argument("--as", dest="imported_as", choices=["history", "live"], default="history")
    parser.add_argument("--settle", type=float, default=20, help="seconds the worker runs after the import")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as var_dir:
        database_url = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
        env = environment(database_url, var_dir)
        token = prepare(env)
        path = Path(var_dir) / "incidents.csv"
        write_file(path, args.rows, history=args.imported_as == "history")
        base = f"http://127.0.0.1:{args.port}"
        log = open(args.log, "w")  # noqa: SIM115  (open for the life of the processes)
        server = subprocess.Popen(
            [*OPENMASH, "serve", "--port", str(args.port)], env=env, stdout=log, stderr=log, cwd=ROOT
        )
        worker = subprocess.Popen([*OPENMASH, "worker"], env=env, stdout=log, stderr=log, cwd=ROOT)
        try:
            wait_up(base)
            never = asyncio.Event()
            asyncio.run(post_steadily(base, token, args.rate, never, 3))  # warm-up, not counted
            results: dict = {
                "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
                "rows": args.rows,
                "rate": args.rate,
                "baseline": asyncio.run(post_steadily(base, token, args.rate, never, args.baseline)),
            }
            command = [*OPENMASH, "import", "domestic-abuse", str(path), "--org", "Cleveland Police"]
            command += ["--as", args.imported_as]
            results["as"] = args.imported_as
            results["during_import"] = asyncio.run(during_import(base, token, args.rate, command, env))
            seconds = results["during_import"]["import_seconds"]
            results["import_rows_per_second"] = round(args.rows / seconds) if seconds else None
            time.sleep(args.settle)  # the worker sweeps and delivers meanwhile
            results["after_import"] = caused_by_import(env)
            print(json.dumps(results, indent=2))
        finally:
            for process in (server, worker):
                process.terminate()
            for process in (server, worker):
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


if __name__ == "__main__":
    main()
