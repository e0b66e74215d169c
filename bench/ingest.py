"""Ingest and end-to-end latency of domestic abuse incidents over the real API.

    .venv/bin/python bench/ingest.py                    # SQLite, in a fresh temporary database
    .venv/bin/python bench/ingest.py --database-url postgres://postgres@127.0.0.1:54329/bench --recreate

It prepares a fresh database (migrate, reference data, demo cast, API clients), starts `openmash serve` and
one `openmash worker` as separate processes on this machine, and then measures:

1. no-op throughput: GET /api/v1/ping as fast as the client can (the same server's ceiling);
2. sustained ingest: POST /api/v1/incidents/domestic-abuse with CONCURRENCY requests in flight for SECONDS
   (after WARMUP seconds of the same, not counted),
   each a new incident with two new children; throughput and latency percentiles, and the CPU time each
   part (server, worker, PostgreSQL, load generator) spent an incident;
3. end-to-end: once the worker has delivered what the ingest phase queued (the time it took is reported), at
   RATE incidents a second, the time from a POST returning to the council's share arriving on an open
   /api/v1/inbox/stream.

Everything runs on loopback and stops by itself. Figures go in docs/performance.md.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from common import environment, percentile, wait_up

try:
    from uvloop import run as run_loop  # a cheaper event loop leaves more of the two cores to the server
except ImportError:
    run_loop = asyncio.run

ROOT = Path(__file__).resolve().parent.parent
OPENMASH = str(Path(sys.executable).parent / "openmash")


def fresh_postgres(database_url: str, recreate: bool) -> None:
    """Create the named PostgreSQL database if it is missing (or drop and create it with --recreate), so
    every run starts from the same empty database."""
    import psycopg
    from psycopg import sql

    url = httpx.URL(database_url)
    name = url.path.lstrip("/")
    maintenance = str(url.copy_with(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            connection.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if not exists or recreate:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        elif not recreate:
            raise SystemExit(f"database {name} exists: name a new one, or pass --recreate to empty it")


def prepare(env: dict[str, str]) -> dict[str, str]:
    # The benchmark's database is a new, throwaway one: the demo may load into it.
    demo = {**env, "OPENMASH_DEMO": "true"}
    for command in (["migrate", "--no-input"], ["load-reference"], ["demo", "--allow-database-url"]):
        subprocess.run([OPENMASH, *command], env=demo, check=True, capture_output=True)
    tokens = {}
    for org, name in (("Cleveland Police", "police"), ("Stockton-on-Tees", "council")):
        out = subprocess.run(
            [OPENMASH, "api-client", "create", "--org", org, "--name", f"bench-{uuid.uuid4().hex[:6]}"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tokens[name] = out.strip().splitlines()[-1]
    return tokens


# Households unlike each other, as an area's are: names drawn from common British names (so a surname is
# sometimes shared, as "Smith" is), a child's date of birth anywhere in 17 years, one of Stockton's streets.
# Identical made-up households (one family name, one date of birth, one postcode for every incident) would be
# thousands of twins to the matcher at intake (docs/decisions/0014), not an area's children.
# fmt: off
_GIVEN = [
    "Ava", "Isla", "Mia", "Ivy", "Lily", "Freya", "Grace", "Ella", "Evie", "Poppy", "Emily", "Sophia",
    "Noah", "Leo", "Oliver", "Arthur", "Harry", "Jack", "George", "Freddie", "Theo", "Finley", "Oscar",
    "Alfie", "Amara", "Zain", "Ibrahim", "Aisha", "Kacper", "Zuzanna", "Priya", "Arjun", "Chloe", "Reuben",
    "Maya", "Tobias", "Niamh", "Callum", "Rhys", "Seren", "Yusuf", "Fatima", "Kai", "Esme", "Jude", "Nia",
]
_FAMILY = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke",
    "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore",
    "Clark", "King", "Harrison", "Lewis", "Baker", "Lee", "Allen", "Morris", "Khan", "Scott", "Watson",
    "Davis", "Parker", "James", "Bennett", "Young", "Phillips", "Richardson", "Mitchell",
]
# fmt: on


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(count))


def incident(n: int) -> dict:
    tag = uuid.uuid4().hex[:8]
    rng = random.Random(tag)
    # A made-up family name: a common one with a made-up tail, so that about one household in 50 shares
    # each stem and the matcher meets the near-misses it meets in an area.
    family = rng.choice(_FAMILY) + _letters(rng, 3)
    born = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(17 * 365))
    baby = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
    # Happened just now, as a live feed's would: a fixed date in the past made every share overdue on arrival,
    # so the worker spent the run escalating thousands of them instead of delivering.
    now = dt.datetime.now(dt.UTC)
    return {
        "police_reference": f"BENCH-{tag}-{n}",
        "occurred_at": (now - dt.timedelta(minutes=20)).isoformat(),
        "reported_at": (now - dt.timedelta(minutes=10)).isoformat(),
        "risk_level": "medium",
        "postcode": f"TS18 {rng.randrange(1, 10)}{_letters(rng, 2).upper()}",
        "council": "E06000004",  # Stockton-on-Tees: the made-up postcodes are not looked up
        "summary": "Benchmark incident",
        "children": [
            {
                "given_name": rng.choice(_GIVEN) + _letters(rng, 2),
                "family_name": family,
                "date_of_birth": born.isoformat(),
                "present": True,
                "school_urn": "900001",
            },
            {
                "given_name": rng.choice(_GIVEN) + _letters(rng, 2),
                "family_name": family,
                "date_of_birth": baby.isoformat(),
                "present": False,
            },
        ],
        "adults": [{"given_name": rng.choice(_GIVEN) + _letters(rng, 2), "family_name": family}],
    }


class Connection:
    """One keep-alive HTTP/1.1 connection, just enough for the closed loop.

    httpx spends about a millisecond of CPU a request, which on these two shared cores capped the measured
    no-op figure near 800/s whatever the server could do; this costs a fraction of that, so the figures are
    the server's and not the load generator's.
    """

    def __init__(self, base: str) -> None:
        url = httpx.URL(base)
        self.host, self.port = url.host, url.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
        if method != "GET":
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            data = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                data += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            data = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def closed_loop(base: str, make_request, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop = time.monotonic() + seconds

    async def user() -> None:
        connection = Connection(base)
        n = 0
        try:
            while time.monotonic() < stop:
                n += 1
                began = time.perf_counter()
                status = await make_request(connection, n)
                latencies.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    started = time.monotonic()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * percentile(latencies, 0.5),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "errors": sum(count for status, count in statuses.items() if status >= 400),
        "statuses": statuses,
    }


async def end_to_end(base: str, tokens: dict[str, str], rate: float, seconds: float) -> dict:
    """POST at a steady rate; time each council share's arrival on an open inbox stream."""
    returned: dict[str, float] = {}
    arrived: dict[str, float] = {}
    failures: list[int] = []
    headers = {"Authorization": f"Bearer {tokens['police']}"}
    async with httpx.AsyncClient(timeout=30) as client:

        async def listen() -> None:
            stream_headers = {"Authorization": f"Bearer {tokens['council']}"}
            async with client.stream(
                "GET", f"{base}/api/v1/inbox/stream", headers=stream_headers, timeout=None
            ) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        arrived[json.loads(line[6:])["share_id"]] = time.perf_counter()

        listener = asyncio.create_task(listen())
        await asyncio.sleep(1.0)

        async def post(n: int) -> None:
            response = await client.post(
                f"{base}/api/v1/incidents/domestic-abuse", json=incident(n), headers=headers
            )
            now = time.perf_counter()
            if response.status_code != 201:
                failures.append(response.status_code)
                return
            for share in response.json()["shares"]:
                if share["recipient"] == "E06000004":
                    returned[share["share_id"]] = now

        tasks = []
        total = int(rate * seconds)
        began = time.perf_counter()
        for n in range(total):
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not set(returned) <= set(arrived):
            await asyncio.sleep(0.05)
        listener.cancel()
        stream_error = None if not listener.done() or listener.cancelled() else listener.exception()
    delays = [max(0.0, arrived[share] - at) for share, at in returned.items() if share in arrived]
    return {
        "incidents": total,
        "arrived": len(delays),
        "missing": len(returned) - len(delays),
        "stream_error": repr(stream_error) if stream_error else None,
        "failed_posts": failures,
        "p50_ms": 1000 * statistics.median(delays) if delays else None,
        "p99_ms": 1000 * percentile(delays, 0.99) if delays else None,
    }


PENDING = (
    "from openmash.sharing.models import Delivery; "
    "print(Delivery.objects.filter(status='pending', attempts=0).count())"
)


def drain(env: dict[str, str], limit: float = 120) -> dict:
    """Wait until the worker has delivered everything the ingest phase queued, so the end-to-end phase measures
    a steady state and not the aftermath of the closed loop; how long that took is itself a figure."""
    began = time.monotonic()
    pending = -1
    while time.monotonic() - began < limit:
        out = subprocess.run([OPENMASH, "shell", "-c", PENDING], env=env, capture_output=True, text=True)
        pending = int(out.stdout.strip().splitlines()[-1])
        if pending == 0:
            break
        time.sleep(0.5)
    return {"seconds": round(time.monotonic() - began, 1), "still_pending": pending}


def analyse(database_url: str) -> bool:
    """PostgreSQL: refresh the planner's statistics once the warm-up has filled the new tables, as autovacuum
    does within its first minute on a live service. Without it, whether a run measures the steady state is
    luck: a foreign-key check planned while its table was empty (the worker's, of each delivery attempt
    against its delivery) can keep scanning that table whole until autovacuum gets round to it, which once
    doubled PostgreSQL's CPU an incident and left the worker seconds behind."""
    if not database_url.startswith("postgres"):
        return False
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("ANALYZE")
    return True


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc; 0 where it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in found.split()]


def _postgres_processes(database_url: str) -> list[int]:
    """The PostgreSQL server's processes: its background processes and every backend open now (the app's
    connections are kept open from the warm-up on)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return [pid for (pid,) in connection.execute("SELECT pid FROM pg_stat_activity").fetchall()]


class CpuUse:
    """Where the CPU of a phase went, in milliseconds an incident: the server processes, the worker, the
    PostgreSQL server and this load generator. On two cores, N incidents a second can use at most 2000 / N
    milliseconds an incident in all."""

    def __init__(self, server: int, worker: int, database_url: str) -> None:
        self.groups = {"server": _children(server) or [server], "worker": [worker]}
        if database_url.startswith("postgres"):
            self.groups["postgresql"] = _postgres_processes(database_url)
        self.before = self._now()

    def _now(self) -> dict[str, float]:
        used = {name: sum(_cpu_seconds(pid) for pid in pids) for name, pids in self.groups.items()}
        times = os.times()
        return used | {"load_generator": times.user + times.system}

    def per_incident(self, incidents: int) -> dict[str, float]:
        after = self._now()
        return {name: round(1000 * (after[name] - self.before[name]) / incidents, 2) for name in after}


def index_people(env: dict[str, str], people: int) -> None:
    """``people`` generated people in the match index (bench/matching.py's generator, as bench/recording.py
    does), written by a process of their own before the server starts."""
    script = (
        "import sys; sys.path.insert(0, 'bench'); import django; django.setup(); import matching; "
        f"matching.index_generated({people}, seed=17)"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env=env | {"DJANGO_SETTINGS_MODULE": "openmash.settings"},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument(
        "--server-threads", type=int, default=0, help="threads per server process (0: default)"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of ingest before the measured ingest (not counted)"
    )
    parser.add_argument("--rate", type=float, default=50, help="incidents a second for the end-to-end test")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument(
        "--recreate", action="store_true", help="drop and create the --database-url database first"
    )
    parser.add_argument("--log", default="/tmp/openmash-bench.log", help="server and worker output")
    parser.add_argument(
        "--matching",
        choices=("on", "off"),
        default="on",
        help="matching people at intake (OPENMASH_MATCHING_AT_INTAKE; issue 14 asks at most 20%% slower on)",
    )
    parser.add_argument(
        "--indexed", type=int, default=0, help="generated people in the match index first (bench/matching.py)"
    )
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the end-to-end phase")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as var_dir:
        database_url = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
        env = environment(database_url, var_dir)
        if database_url.startswith("postgres"):
            fresh_postgres(database_url, args.recreate)
        tokens = prepare(env)
        env["OPENMASH_MATCHING_AT_INTAKE"] = "true" if args.matching == "on" else "false"
        if args.indexed:
            index_people(env, args.indexed)
        base = f"http://127.0.0.1:{args.port}"
        log = open(args.log, "w")  # noqa: SIM115  (open for the life of the processes)
        serve = [OPENMASH, "serve", "--port", str(args.port), "--workers", str(args.server_workers)]
        if args.server_threads:
            serve += ["--threads", str(args.server_threads)]
        server = subprocess.Popen(serve, env=env, stdout=log, stderr=log)
        worker = subprocess.Popen([OPENMASH, "worker"], env=env, stdout=log, stderr=log)
        try:
            wait_up(base)
            auth = {"Authorization": f"Bearer {tokens['police']}"}

            async def ping(connection: Connection, n: int) -> int:
                status, _body = await connection.request("GET", "/api/v1/ping")
                return status

            async def post(connection: Connection, n: int) -> int:
                body = json.dumps(incident(n)).encode()
                status, _body = await connection.request(
                    "POST", "/api/v1/incidents/domestic-abuse", body, auth
                )
                return status

            results = {
                "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
                "server_workers": args.server_workers,
                "server_threads": args.server_threads or "default",
                "concurrency": args.concurrency,
                "matching_at_intake": args.matching,
                "indexed_people": args.indexed,
                "noop": run_loop(closed_loop(base, ping, args.concurrency, min(args.seconds, 10))),
                # Sustained ingest: the first requests of a fresh process import and compile what recording
                # needs, so a few seconds of ingest go first, uncounted.
                "warmup_seconds": args.warmup,
                "warmup": args.warmup
                and run_loop(closed_loop(base, post, args.concurrency, args.warmup))["requests"],
                "analysed_after_warmup": analyse(database_url),
            }
            cpu = CpuUse(server.pid, worker.pid, database_url)
            results["ingest"] = run_loop(closed_loop(base, post, args.concurrency, args.seconds))
            results["cpu_ms_per_incident"] = cpu.per_incident(results["ingest"]["requests"])
            results |= {
                "outbox_drained_after_ingest": drain(env),
            }
            if not args.no_end_to_end:
                results["end_to_end"] = run_loop(end_to_end(base, tokens, args.rate, min(args.seconds, 20)))
            results["ingest_to_noop_ratio"] = results["ingest"]["per_second"] / results["noop"]["per_second"]
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
