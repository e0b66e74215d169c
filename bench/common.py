"""What the benchmarks share: a clean environment for the app's processes, Django in the benchmark's own
process, waiting for the server, and percentiles. Imported by the scripts beside it (run as `python bench/NAME.py`)."""

import os
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, var_dir: str) -> dict[str, str]:
    """The service's settings for a benchmark: this machine's environment without any OpenMASH or Django
    setting of its own, a throwaway database and the keys a server database needs."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OPENMASH_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "OPENMASH_SECRET_KEY": "benchmark-secret-key-0123456789abcdefghijkl",
            "OPENMASH_AUDIT_KEY": "benchmark-audit-key-0123456789abcdefghijklmn",
            "OPENMASH_VAR_DIR": var_dir,
            "OPENMASH_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def wait_up(base: str, seconds: float = 30) -> None:
    """Until the server at ``base`` answers its no-op endpoint."""
    for _ in range(int(seconds * 10)):
        try:
            if httpx.get(f"{base}/api/v1/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("server did not start")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0-1) of some values; 0 of none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


def django_in_process(database_url: str, prefix: str = "openmash-bench-") -> str:
    """Django set up in this process on ``database_url`` (default: a throwaway SQLite file), with throwaway
    keys; returns the scratch folder it made (the var dir, and the SQLite file's home)."""
    scratch = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("OPENMASH_SECRET_KEY", "benchmark-secret-key-0123456789abcdefghijkl")
    os.environ.setdefault("OPENMASH_AUDIT_KEY", "benchmark-audit-key-0123456789abcdefghijklmn")
    os.environ["OPENMASH_VAR_DIR"] = scratch
    os.environ["OPENMASH_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmash.settings"
    import django

    django.setup()
    return scratch
