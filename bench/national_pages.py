"""Issue 16's page figures at national volume: the inbox, a person's record, person search, a chronology (each
under 300 ms at p95) and an area's dashboard (under 500 ms), asked of a running ``openmash serve`` over HTTP by
signed-in users of the busiest council and of its police force, on a database that holds
``openmash generate --scale national`` data (``bench/generate_national.py``).

    .venv/bin/python bench/generate_national.py --fraction 0.05 --no-matching-at-intake \\
        --database-url postgres://postgres@127.0.0.1:54364/national
    .venv/bin/python bench/national_pages.py --database-url postgres://postgres@127.0.0.1:54364/national
    .venv/bin/python bench/national_pages.py --database-url ... --queries     # queries of each page, in process

Before measuring it prepares, in this process and through the services (again on a second run only what is
missing):
- the busiest council (most shares received, unless ``--council``) and the police force covering it;
- three accounts: the council's social worker and team manager, and a police officer of the force, each with a
  confirmed authenticator app (their organisations require the second factor); and an API client of the council;
- ``--busy-children`` of the council's generated children with ``--events-each`` domestic-abuse incidents each,
  recorded by the police officer over the last 60 days through the recording service and delivered by the
  worker's own delivery step: the generated year names every child once, and a child known to the police again
  and again is the record and chronology that cost most. These are also the council's live work (the generated
  year is all history).

Then it starts ``openmash serve`` (``--workers``), signs each user in through the sign-in and two-factor pages,
and asks each page ``--runs`` times, one request at a time after a few unmeasured ones, printing p50 / p95 /
p99 and the slowest. Every request is one its user may make: the people asked for are ones the council (or the
force) has a recorded reason to see, checked with the access policy before the run.
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_in_process, environment, percentile, wait_up  # noqa: E402

PASSWORD = "Bench-pages-2026-password"
TARGETS = {"dashboard": 500.0}  # ms at p95; every other page 300 ms (issue 16)


@dataclass
class Page:
    name: str
    who: str  # the key of the signed-in client: social-worker, team-manager, police, api
    urls: Callable[[random.Random], str]


def uptime() -> str:
    """The load averages over 1, 5 and 15 minutes, as ``uptime`` prints them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """Seconds of CPU a process has used (user and system), 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def service_cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds used so far by each of the server's processes and of the database's backends serving this
    database (not this process's own connection), by process id: what requests cost the machine, whatever else
    runs on it (``cpu_between``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return {pid: _cpu(pid) for pid in _descendants(server_pid) + backends}


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU seconds used between two readings. A backend whose connection closed in between (after 60 s
    unused) is not counted for that time: an undercount, never a negative figure."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def prepare(args: argparse.Namespace) -> dict:
    """The council, force, users, API token, busy children and samples of people (Django in this process)."""
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from openmash.accounts.actors import actor_for_user, system_actor
    from openmash.accounts.models import Role, User
    from openmash.accounts.services import api_client_create, user_create
    from openmash.events.models import Event, EventKind, EventSubject
    from openmash.organisations.models import Organisation, OrganisationKind
    from openmash.organisations.selectors import organisation_resolve
    from openmash.people.models import Person
    from openmash.people.selectors import reason_to_see
    from openmash.recording.services import EventInput, PersonInput, event_record
    from openmash.sharing.delivery import run_once
    from openmash.sharing.models import Share

    if args.council:
        council = organisation_resolve(args.council)
    else:
        busiest = (
            Share.objects.filter(recipient__kind=OrganisationKind.COUNCIL)
            .values("recipient")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if busiest is None:
            raise SystemExit("No shares to any council: generate data first (bench/generate_national.py)")
        council = Organisation.objects.get(pk=busiest["recipient"])
    force = Organisation.objects.filter(kind=OrganisationKind.POLICE, covers=council).order_by("code").first()
    if force is None:
        raise SystemExit(f"No police force covers {council.name}")

    def account(organisation: Organisation, role: str, label: str) -> User:
        username = f"bench.{label}.{organisation.code.lower()}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=system_actor(organisation),
            organisation=organisation,
            username=username,
            email=f"{username}@bench.invalid",
            first_name="Bench",
            last_name=label.replace("-", " ").title(),
            roles=[role],
            password=PASSWORD,
            team="Front door and assessment" if organisation == council else "",
        )
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        return user

    users = {
        "social-worker": account(council, Role.SOCIAL_WORKER, "social-worker"),
        "team-manager": account(council, Role.TEAM_MANAGER, "team-manager"),
        "police": account(force, Role.POLICE_OFFICER, "police-officer"),
    }
    token = api_client_create(
        actor=system_actor(council), organisation=council, name=f"bench-pages-{time.time_ns()}"
    ).token
    worker = actor_for_user(users["social-worker"])
    officer = actor_for_user(users["police"])
    rng = random.Random(2016)

    # The council's generated children (named in a share it received), in a fixed order for the seed.
    children = list(
        Share.people.through.objects.filter(share__recipient=council, person__kind="child")
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:20000]
    )
    if not children:
        raise SystemExit(f"{council.name} has received no shares naming a child")
    busy = rng.sample(children, min(args.busy_children, len(children)))
    began = time.perf_counter()
    recorded = 0
    now = dt.datetime.now(dt.UTC)
    for number, person_id in enumerate(busy):
        have = Event.objects.filter(subjects__person_id=person_id).count()
        postcode = (
            Event.objects.filter(subjects__person_id=person_id)
            .exclude(postcode="")
            .values_list("postcode", flat=True)
            .first()
            or ""
        )
        for each in range(have, args.events_each + 1):
            occurred = now - dt.timedelta(days=60) + dt.timedelta(minutes=rng.randrange(60 * 24 * 59))
            event_record(
                actor=officer,
                data=EventInput(
                    kind=EventKind.DOMESTIC_ABUSE,
                    reference=f"BENCH-{council.code}-{number:03d}-{each:03d}",
                    occurred_at=occurred,
                    reported_at=occurred + dt.timedelta(minutes=10),
                    postcode=postcode,
                    council=None if postcode else council,
                    risk_level=rng.choice(["standard", "medium", "high"]),
                    summary="Domestic abuse incident at the child's home.",
                    people=[PersonInput(person_id=person_id, details={"present": rng.choice([True, False])})],
                ),
            )
            recorded += 1
    while run_once("bench-pages"):
        pass
    if recorded:
        print(
            f"recorded {recorded} incidents for {len(busy)} busy children in {time.perf_counter() - began:.0f} s"
        )

    sample = rng.sample(children, min(args.sample, len(children)))
    seen = [pid for pid in sample if reason_to_see(worker, pid) is not None]
    busy_seen = [pid for pid in busy if reason_to_see(worker, pid) is not None]
    force_children = list(
        EventSubject.objects.filter(event__recorded_by=force, person__kind="child")
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:20000]
    )
    police_seen = [
        pid
        for pid in rng.sample(force_children, min(args.sample, len(force_children)))
        if reason_to_see(officer, pid) is not None
    ]
    if not seen or not busy_seen or not police_seen:
        raise SystemExit("The users may see none of the people sampled: the access policy refuses them")
    people = {
        p.pk: (p.given_name, p.family_name, p.date_of_birth)
        for p in Person.objects.filter(pk__in=seen + busy_seen + police_seen)
    }
    events = {pid: Event.objects.filter(subjects__person_id=pid).count() for pid in busy_seen}
    return {
        "council": council,
        "force": force,
        "users": users,
        "token": token,
        "seen": seen,
        "busy": busy_seen,
        "busy_events": events,
        "police_seen": police_seen,
        "people": people,
        "council_shares": Share.objects.filter(recipient=council).count(),
        "council_history": Share.objects.filter(recipient=council, imported_as="history").count(),
    }


def sign_in(base: str, username: str) -> httpx.Client:
    """Signed in as a person is: the sign-in page, then the two-factor page with the app's current code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = httpx.Client(base_url=base, timeout=60)

    def csrf(path: str) -> str:
        page = client.get(path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, f"no form on {path}"
        return found.group(1)

    signed = client.post(
        "/sign-in/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf("/sign-in/")},
    )
    assert signed.status_code == 302, f"sign-in refused for {username}: {signed.status_code}"
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    for _try in range(3):
        token = csrf("/sign-in/two-factor/")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        done = client.post(
            "/sign-in/two-factor/", data={"token": f"{code:06d}", "csrfmiddlewaretoken": token}
        )
        if done.status_code == 302:
            break
        # A code is used once: the same 30 seconds' code of an earlier run is refused; wait for the next.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
        time.sleep(31 - time.time() % 30)
    else:
        raise SystemExit(f"second factor refused for {username}")
    assert client.get("/").status_code == 200
    return client


def pages(prepared: dict, period_query: str) -> list[Page]:
    from urllib.parse import urlencode

    people = prepared["people"]
    code = prepared["council"].code

    def pick(key: str) -> Callable[[random.Random], str]:
        return lambda rng: str(rng.choice(prepared[key]))

    def search(key: str, with_birth: bool) -> Callable[[random.Random], str]:
        def url(rng: random.Random) -> str:
            given, family, born = people[rng.choice(prepared[key])]
            query = {"name": f"{given} {family}"}
            if with_birth:
                query |= {
                    "date_of_birth_0": born.day,
                    "date_of_birth_1": born.month,
                    "date_of_birth_2": born.year,
                }
            return "/people/?" + urlencode(query)

        return url

    return [
        Page("inbox (live work)", "social-worker", lambda rng: "/inbox/"),
        Page("inbox (history)", "social-worker", lambda rng: "/inbox/?view=history"),
        Page("inbox API (live work)", "api", lambda rng: "/api/v1/inbox"),
        Page("inbox API (history)", "api", lambda rng: "/api/v1/inbox?view=history"),
        Page("record, busy child", "social-worker", lambda rng: f"/people/{pick('busy')(rng)}/"),
        Page("record, any child", "social-worker", lambda rng: f"/people/{pick('seen')(rng)}/"),
        Page(
            "chronology, busy child", "social-worker", lambda rng: f"/people/{pick('busy')(rng)}/chronology/"
        ),
        Page(
            "chronology, any child", "social-worker", lambda rng: f"/people/{pick('seen')(rng)}/chronology/"
        ),
        Page("search: name", "social-worker", search("seen", False)),
        Page("search: name and date of birth", "social-worker", search("seen", True)),
        Page("police: search name and date of birth", "police", search("police_seen", True)),
        Page("police: record", "police", lambda rng: f"/people/{pick('police_seen')(rng)}/"),
        Page("police: chronology", "police", lambda rng: f"/people/{pick('police_seen')(rng)}/chronology/"),
        Page("dashboard", "team-manager", lambda rng: f"/areas/{code}/?{period_query}"),
    ]


def count_queries(
    prepared: dict, chosen: list[Page], rng: random.Random, *, explain: bool, profile: bool
) -> None:
    """Each page's queries and their time, in this process through Django's test client (``--queries``)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clients = {}
    for who, user in prepared["users"].items():
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
        session.save()
        clients[who] = client
    clients["api"] = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {prepared['token']}")
    for page in chosen:
        url = page.urls(rng)
        clients[page.who].get(url)
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = clients[page.who].get(url)
            took = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (page.name, url, response.status_code)
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(clients[page.who].get, url)
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
        slowest = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))[:3]
        print(f"{page.name}: {len(queries)} queries, {took:.0f} ms in all; slowest:")
        for query in slowest:
            print(f"    {float(query['time']) * 1000:.1f} ms  {query['sql'][:400]}")
        if explain:  # every read's plan where it scans a table or reads many rows: what grows with volume
            for query in queries.captured_queries:
                if not query["sql"].lstrip().upper().startswith("SELECT") or "FOR UPDATE" in query["sql"]:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    plan = [row[0] for row in cursor.fetchall()]
                took_ms = float(plan[-1].split()[-2])
                if took_ms > 2 or any("Seq Scan" in line for line in plan):
                    print(f"    {took_ms:.1f} ms  {query['sql'][:300]}")
                    print("\n".join("      " + line for line in plan))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a database holding generated national data")
    parser.add_argument("--council", default="", help="code or name (default: the council with most shares)")
    parser.add_argument("--runs", type=int, default=100, help="measured requests of each page")
    parser.add_argument("--warm", type=int, default=5, help="unmeasured requests of each page first")
    parser.add_argument("--busy-children", type=int, default=10)
    parser.add_argument("--events-each", type=int, default=40, help="events about each busy child")
    parser.add_argument("--sample", type=int, default=300, help="children sampled to ask for")
    parser.add_argument("--year", type=int, default=2015, help="the generated year (the dashboard's period)")
    parser.add_argument("--port", type=int, default=8016)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--only", default="", help="only the pages whose name holds this")
    parser.add_argument("--queries", action="store_true", help="count each page's queries in process instead")
    parser.add_argument("--explain", action="store_true", help="with --queries: EXPLAIN ANALYZE each slowest")
    parser.add_argument(
        "--profile", action="store_true", help="with --queries: where one request's time goes"
    )
    args = parser.parse_args()

    scratch = django_in_process(args.database_url, prefix="openmash-bench-pages-")
    from openmash.insight.forms import period_query
    from openmash.insight.measures import Period
    from openmash.people.models import Person
    from openmash.sharing.models import Share

    prepared = prepare(args)
    query = period_query(Period(dt.date(args.year, 4, 1), dt.date(args.year + 1, 3, 31)))
    chosen = [page for page in pages(prepared, query) if args.only in page.name]
    print(
        f"council: {prepared['council'].name} ({prepared['council_shares']:,} shares received, "
        f"{prepared['council_history']:,} of them history); force: {prepared['force'].name}; "
        f"people on record: {Person.objects.count():,}; shares: {Share.objects.count():,}; "
        f"busy children: {len(prepared['busy'])} with {min(prepared['busy_events'].values())}-"
        f"{max(prepared['busy_events'].values())} events each; children sampled: {len(prepared['seen'])} "
        f"(council), {len(prepared['police_seen'])} (police)",
        flush=True,
    )
    rng = random.Random(2026)
    if args.queries:
        count_queries(prepared, chosen, rng, explain=args.explain, profile=args.profile)
        return

    env = environment(args.database_url, scratch)
    # Plain HTTP on this machine's loopback: cookies that are not HTTPS-only, or the client would not send them.
    env["OPENMASH_SECURE_COOKIES"] = "false"
    log = open(Path(scratch) / "serve.log", "w")  # noqa: SIM115 (open for the server's life)
    command = [sys.executable, "-m", "openmash.cli", "serve", "--port", str(args.port)]
    server = subprocess.Popen(
        [*command, "--workers", str(args.workers)], env=env, stdout=log, stderr=log, cwd=ROOT
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_up(base, 60)
        clients = {who: sign_in(base, user.username) for who, user in prepared["users"].items()}
        clients["api"] = httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {prepared['token']}"}
        )
        print(f"load average before: {uptime()}", flush=True)
        print(
            "wall-clock ms a request (p50, p95, p99, slowest); cpu: ms of CPU a request, the server's processes"
        )
        print(
            "and the database's backends together; first: the first request of the page, unmeasured (warming)"
        )
        print(
            f"{'page':42} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'cpu':>7} {'first':>7}  target (p95)"
        )
        for page in chosen:
            client = clients[page.who]
            times = []
            first = 0.0
            for number in range(args.warm + args.runs):
                if number == args.warm:
                    cpu_before = service_cpu(server.pid)
                url = page.urls(rng)
                began = time.perf_counter()
                response = client.get(url)
                took = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{page.name}: {url} answered {response.status_code}")
                if number >= args.warm:
                    times.append(took)
                elif number == 0:
                    first = took
            cpu = cpu_between(cpu_before, service_cpu(server.pid)) * 1000 / args.runs
            target = TARGETS.get(page.name, 300.0)
            p95 = percentile(times, 0.95)
            print(
                f"{page.name:42} {percentile(times, 0.5):7.1f} {p95:7.1f} {percentile(times, 0.99):7.1f} "
                f"{max(times):7.1f} {cpu:7.1f} {first:7.0f}  {target:.0f} ms {'met' if p95 < target else 'NOT MET'}",
                flush=True,
            )
        print(f"load average after: {uptime()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    if os.environ.get("BENCH_KEEP_LOG"):
        print(f"server log: {Path(scratch) / 'serve.log'}")


if __name__ == "__main__":
    main()
