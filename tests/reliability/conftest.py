"""Real processes against the test database: workers killed mid-delivery, several app servers and workers."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import load_cast

OPENMASH = str(Path(sys.executable).parent / "openmash")


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "openmash.settings",
            "OPENMASH_SECRET_KEY": "reliability-test-secret-key-0123456789abcdef",
            "OPENMASH_AUDIT_KEY": "reliability-test-audit-key-0123456789abcdefgh",
            "OPENMASH_DELIVERY_LEASE_SECONDS": "2",
            "OPENMASH_AUDIT_TRIGGERS": "false",
            # The stand-in webhook receivers listen on plain http on this machine (tests/sharing/receivers.py).
            "OPENMASH_WEBHOOK_HTTP_LOOPBACK": "true",
            **extra,
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    def __init__(self) -> None:
        self.running: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [OPENMASH, *args], env=process_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def processes():
    running = Processes()
    yield running
    running.stop_all()


@pytest.fixture
def committed_cast(transactional_db):
    """The cast, committed so that other processes see it."""
    return load_cast()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


from tests.sharing.conftest import incident_input, officer  # noqa: E402,F401  (shared fixtures)
