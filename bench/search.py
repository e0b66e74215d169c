"""Person search (`people.selectors.person_search`, what `GET /api/v1/people` and the search page call) against
--people people, most of them visible to the searching council.

    .venv/bin/python bench/search.py --people 1000000                   # SQLite, fresh temporary file
    .venv/bin/python bench/search.py --people 1000000 --database-url postgres://postgres@127.0.0.1:54344/bench_search

It prepares a fresh database (migrate, reference data, the demo cast), then writes the people directly with
the direct inserts recording uses (`openmash.database.rows_insert`): each with a legal name (given names and
family names drawn so that the commonest family name is about 1% of people, as Smith is in England), a date of
birth over 18 years, an NHS-style identifier for a third, and for four in five a reason for Stockton-on-Tees
to see them. The trigram index is dropped for the load and built again after it, as the migration builds it for
existing rows. Then it times --runs searches of each kind as the council's social worker (the search's audit
entry included) and prints each kind's p50 and p95 and all together.
"""

import argparse
import gc
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GIVEN = [
    "Oliver",
    "George",
    "Noah",
    "Arthur",
    "Muhammad",
    "Leo",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theodore",
    "Freddie",
    "Jack",
    "Charlie",
    "Theo",
    "Alfie",
    "Jacob",
    "Thomas",
    "Finley",
    "Arlo",
    "William",
    "Lucas",
    "Roman",
    "Tommy",
    "Isaac",
    "Teddy",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Ivy",
    "Freya",
    "Lily",
    "Florence",
    "Mia",
    "Willow",
    "Rosie",
    "Sophia",
    "Isabella",
    "Grace",
    "Daisy",
    "Sienna",
    "Poppy",
    "Elsie",
    "Emily",
    "Ella",
    "Evelyn",
    "Phoebe",
    "Sofia",
    "Evie",
    "Charlotte",
    "Harper",
    "Millie",
    "Matilda",
    "Maya",
    "Sophie",
    "Alice",
    "Emilia",
    "Isabelle",
    "Ruby",
    "Sofía",
    "Zoë",
    "Chloé",
    "Renée",
    "Siân",
    "Aoife",
    "Niamh",
    "Saoirse",
    "Eilidh",
    "Mohammed",
    "Yusuf",
    "Ibrahim",
    "Aisha",
    "Maryam",
    "Fatima",
    "Zara",
    "Amira",
    "Krish",
    "Arjun",
    "Priya",
    "Ananya",
    "Kacper",
    "Zuzanna",
    "Jakub",
    "Maja",
    "Oluwaseun",
    "Chidi",
    "Adaeze",
    "Tobi",
    "Kwame",
    "Ama",
]
COMMON_FAMILY = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "O'Neil-Hart",
    "Ní-Bhriain",
    "D'Souza",
    "Müller",
    "Nowak",
    "Kowalski",
    "Okafor",
    "Adeyemi",
    "Mensah",
]
SYLLABLES = [
    "al",
    "an",
    "ar",
    "ba",
    "be",
    "bo",
    "ca",
    "da",
    "de",
    "el",
    "en",
    "fa",
    "ga",
    "ha",
    "in",
    "ka",
    "la",
    "le",
    "li",
    "ma",
    "mo",
    "na",
    "ne",
    "or",
    "ra",
    "ri",
    "sa",
    "se",
    "ta",
    "to",
    "va",
    "wi",
]


def family_names(rng: random.Random) -> list[tuple[str, float]]:
    """Family names and their weights: the common ones first, a fifth of people in all (Smith about 1%, as in
    England), then 20,000 rarer ones."""
    common = [(name, (rank + 1) ** -0.5) for rank, name in enumerate(COMMON_FAMILY)]
    total = sum(weight for _name, weight in common)
    common = [(name, 0.2 * weight / total) for name, weight in common]
    rare = {
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(25_000)
    }
    rare_names = sorted(rare)[:20_000]
    return common + [(name, 0.8 / len(rare_names)) for name in rare_names]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100, help="searches of each kind")
    parser.add_argument(
        "--again",
        default="",
        help="a database this benchmark loaded before (a SQLite file, or the --database-url again): search it "
        "without loading it again",
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="openmash-bench-")
    if args.again and not args.database_url:
        args.database_url = f"sqlite:///{Path(args.again).resolve()}"
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["OPENMASH_VAR_DIR"] = var_dir
    os.environ.setdefault("OPENMASH_SECRET_KEY", "benchmark-secret-key-0123456789abcdefghijkl")
    os.environ["OPENMASH_DEMO"] = "true"
    os.environ.setdefault("OPENMASH_AUDIT_KEY", "benchmark-audit-key-0123456789abcdefghijklmn")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmash.settings"
    import django

    django.setup()
    import datetime as dt
    import importlib

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from openmash.access.models import AccessReason, ReasonKind
    from openmash.accounts.actors import actor_for_user
    from openmash.database import inserts_run, rows_insert
    from openmash.demo.cast import SIGN_INS, demo_load
    from openmash.demo.services import demo_database_mark
    from openmash.lib.ids import new_id
    from openmash.lib.names import search_key
    from openmash.organisations.services import reference_load
    from openmash.people.models import IdentifierScheme, NameKind, Person, PersonIdentifier, PersonName
    from openmash.people.selectors import SearchCriteria, _ranked_ids, person_search

    index = importlib.import_module("openmash.people.migrations.0005_person_name_search_index")

    call_command("migrate", verbosity=0)
    if not args.again:
        reference_load()
    demo_database_mark(demo_usernames=[name for name, *_rest in SIGN_INS], database_url_allowed=True)
    cast = demo_load()
    council = cast.organisations["council"]
    rng = random.Random(2026)
    families = family_names(rng)
    family_list = [name for name, _weight in families]
    family_weights = list(itertools.accumulate(weight for _name, weight in families))
    first_birthday = dt.date(2008, 1, 1)
    now = timezone.now()

    print(f"database: {os.environ['DATABASE_URL'].rsplit('@', 1)[-1]}", flush=True)
    began = time.perf_counter()
    known: list[tuple[str, str, dt.date, str]] = []  # some people as written, to search for
    if args.again:
        args.people = 0
        sample = Person.objects.filter(recorded_by=council, access_reasons__organisation=council)
        for person in sample.order_by("?" if connection.vendor == "postgresql" else "id")[:2000]:
            nhs = person.identifiers.values_list("value", flat=True).first() or ""
            known.append((person.given_name, person.family_name, person.date_of_birth, nhs))
    with connection.cursor() as cursor:  # built again after the load, as the migration builds it
        for statement in index.SQLITE_REVERSE if connection.vendor == "sqlite" else index.POSTGRESQL_REVERSE:
            if not args.again:
                cursor.execute(statement)
    chunk = 5000
    for first in range(0, args.people, chunk):
        people, names, identifiers, reasons = [], [], [], []
        upto = min(first + chunk, args.people)
        drawn = rng.choices(family_list, cum_weights=family_weights, k=upto - first)
        for number, family in zip(range(first, upto), drawn, strict=True):
            pk = new_id()
            given = rng.choice(GIVEN)
            born = first_birthday + dt.timedelta(days=rng.randrange(18 * 365))
            people.append((pk, "child", born, None, "U", "NOBT", "", given, family, council.pk, now, now))
            names.append((pk, given, family, NameKind.LEGAL, search_key(given, family)))
            nhs = ""
            if number % 3 == 0:
                nhs = f"{number:010d}"
                identifiers.append((pk, IdentifierScheme.NHS_NUMBER, nhs, None))
            if number % 5:
                reasons.append((council.pk, pk, ReasonKind.RECORDED_EVENT, "bench", now, "bench", False))
            if number % max(args.people // 2000, 1) == 1:  # searched for: visible (four in five are)
                known.append((given, family, born, nhs))
        with transaction.atomic():
            inserts_run(
                [
                    rows_insert(
                        Person,
                        (
                            "id",
                            "kind",
                            "date_of_birth",
                            "expected_date_of_birth",
                            "sex",
                            "ethnicity",
                            "restriction",
                            "given_name",
                            "family_name",
                            "recorded_by_id",
                            "created_at",
                            "updated_at",
                        ),
                        people,
                    ),
                    rows_insert(
                        PersonName, ("person_id", "given_name", "family_name", "kind", "search_key"), names
                    ),
                    rows_insert(PersonIdentifier, ("person_id", "scheme", "value", "issuer_id"), identifiers),
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
                        reasons,
                    ),
                ]
            )
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in index.SQLITE if connection.vendor == "sqlite" else index.POSTGRESQL:
            if not args.again:
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    indexed = time.perf_counter() - began
    gc.collect()

    actor = actor_for_user(cast.users["social.worker"])

    def typo(text: str) -> str:
        at = rng.randrange(1, len(text))
        return text[:at] + rng.choice("aeiouy") + text[at + 1 :]

    kinds = {
        "name and date of birth": lambda p: SearchCriteria(name=f"{p[0]} {p[1]}", date_of_birth=p[2]),
        "family name and date of birth, swapped, lower case": lambda p: SearchCriteria(
            name=f"{p[1].lower()} {p[0].lower()}", date_of_birth=p[2]
        ),
        "family name alone": lambda p: SearchCriteria(name=p[1]),
        "given and family name": lambda p: SearchCriteria(name=f"{p[0]} {p[1]}"),
        "part of a family name": lambda p: SearchCriteria(name=p[1][1:5]),
        "a name with a typo and the date of birth": lambda p: SearchCriteria(
            name=f"{p[0]} {typo(p[1])}", date_of_birth=p[2]
        ),
        "nothing matches, with a date of birth": lambda p: SearchCriteria(
            name="Qzxw Vrrkt", date_of_birth=p[2]
        ),
        "identifier": lambda p: SearchCriteria(identifier=p[3] or "0000000000"),
    }
    for criteria in (kinds["name and date of birth"](known[0]), kinds["family name alone"](known[1])):
        person_search(actor=actor, criteria=criteria)  # warm the caches, as a service in steady use is
    everything: list[float] = []
    print(
        f"database: {connection.vendor}; people: {Person.objects.count():,}; names: {PersonName.objects.count():,}; "
        f"loaded in {loaded:.0f} s, index built in {indexed:.0f} s"
    )
    for kind, make in kinds.items():
        timings, finding, results = [], [], []
        for _ in range(args.runs):
            criteria = make(rng.choice(known))
            start = time.perf_counter()
            found = person_search(actor=actor, criteria=criteria)
            timings.append(time.perf_counter() - start)
            results.append(len(found))
            start = time.perf_counter()
            _ranked_ids(actor, criteria)  # the finding alone: no reading of the people found, no audit entry
            finding.append(time.perf_counter() - start)
        everything += timings
        timings.sort()
        finding.sort()
        print(
            f"{kind}: p50 {1000 * statistics.median(timings):.1f} ms, "
            f"p95 {1000 * timings[round(0.95 * (len(timings) - 1))]:.1f} ms, max {1000 * timings[-1]:.1f} ms; "
            f"finding alone p50 {1000 * statistics.median(finding):.1f} ms, "
            f"p95 {1000 * finding[round(0.95 * (len(finding) - 1))]:.1f} ms "
            f"(results: median {statistics.median(results):.0f}, most {max(results)})"
        )
    everything.sort()
    print(
        f"all {len(everything)} searches: p50 {1000 * statistics.median(everything):.1f} ms, "
        f"p95 {1000 * everything[round(0.95 * (len(everything) - 1))]:.1f} ms"
    )


if __name__ == "__main__":
    main()
