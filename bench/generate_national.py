"""Time ``openmash generate --scale national --year YEAR --fraction F`` into a fresh database, and extrapolate to
the whole year (labelled as such: the rate of a part of the year times the whole year's records).

    .venv/bin/python bench/generate_national.py --fraction 0.01                # SQLite, a fresh temporary database
    .venv/bin/python bench/generate_national.py --fraction 0.01 --database-url postgres://postgres@127.0.0.1:54343/national

Prints the command's own summary, the wall-clock seconds of the command (migrations and reference data not
included), the records a second, and the whole year's records and time at that rate.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, environment

# domain.md section 6: the national year's two bulk volumes (openmash/demo/volumes.py).
YEAR_RECORDS = 1_500_000 + 87_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--workers", type=int, default=0, help="forces at a time (default: the command's)")
    parser.add_argument(
        "--no-matching-at-intake",
        action="store_true",
        help="OPENMASH_MATCHING_AT_INTAKE=false: link people by id and verified identifier only",
    )
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="openmash-bench-national-")
    env = environment(args.database_url or f"sqlite:///{var_dir}/bench.sqlite3", var_dir)
    env["OPENMASH_DEMO"] = "true"
    if args.no_matching_at_intake:
        env["OPENMASH_MATCHING_AT_INTAKE"] = "false"
    openmash = [sys.executable, "-m", "openmash.cli"]
    subprocess.run([*openmash, "migrate", "--no-input"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*openmash, "load-reference"], env=env, cwd=ROOT, check=True, capture_output=True)
    command = [*openmash, "generate", "--scale", "national", "--year", str(args.year)]
    # A throwaway database, named by DATABASE_URL even for SQLite (bench.common.environment).
    command += ["--fraction", str(args.fraction), "--seed", str(args.seed), "--allow-database-url"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    began = time.monotonic()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    seconds = time.monotonic() - began
    summary = " ".join(done.stdout.strip().splitlines()[-4:])
    print(summary[summary.rfind("Generated") :])
    records = int(summary[summary.rfind("Generated") :].split()[1].replace(",", ""))
    rate = records / seconds
    matching = "off" if args.no_matching_at_intake else "on"
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; matching at intake {matching}")
    print(f"command wall clock: {seconds:.1f} s for {records:,} records: {rate:,.0f} records a second")
    print(
        f"extrapolated (not measured): the whole year's {YEAR_RECORDS:,} records at this rate would take "
        f"{YEAR_RECORDS / rate / 60:,.0f} minutes"
    )


if __name__ == "__main__":
    main()
