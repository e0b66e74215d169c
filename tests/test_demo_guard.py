"""`openmash demo` loads only into a demo database: refused (with a reason, a non-zero exit and nothing written)
without OPENMASH_DEMO, on DATABASE_URL without asking, or where there are real accounts; a real organisation
keeps its second factor."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.actors import system_actor
from openmash.accounts.models import Role, User
from openmash.accounts.services import user_create
from openmash.audit.models import AuditEntry
from openmash.demo.cast import demo_load
from openmash.demo.models import DemoDatabase
from openmash.demo.services import DemoRefused
from openmash.organisations.models import Organisation

ROOT = Path(__file__).resolve().parent.parent
REAL = ["Stockton-on-Tees", "Cleveland Police", "Bury"]


@pytest.fixture
def live_database(cast, settings):
    """The test database as a live service's would be: never marked as a demo, second factor on, real staff."""
    DemoDatabase.objects.all().delete()
    Organisation.objects.filter(name__in=REAL).update(requires_two_factor=True)
    council = cast.organisations["council"]
    user_create(
        actor=system_actor(council),
        organisation=council,
        username="j.bloggs",
        email="j.bloggs@stockton.gov.uk",
        first_name="Jo",
        last_name="Bloggs",
        roles=[Role.SOCIAL_WORKER],
        password="a-real-password-of-a-real-person",
    )
    settings.EMBEDDED = True
    return council


def _written() -> tuple[int, ...]:
    return (
        User.objects.count(),
        AuditEntry.objects.count(),
        DemoDatabase.objects.count(),
        Organisation.objects.filter(name__in=REAL, requires_two_factor=True).count(),
    )


def test_it_refuses_without_openmash_demo(cast, settings):
    settings.DEMO = False
    before = _written()
    with pytest.raises(CommandError, match="OPENMASH_DEMO is not true"):
        call_command("demo")
    assert _written() == before


def test_it_refuses_a_database_url_unless_asked(cast, settings):
    DemoDatabase.objects.all().delete()
    settings.EMBEDDED = False
    with pytest.raises(CommandError, match="DATABASE_URL is set"):
        call_command("demo")
    assert not DemoDatabase.objects.exists()


def test_it_refuses_a_database_with_real_accounts_and_leaves_the_second_factor_on(live_database, settings):
    before = _written()
    for arguments in ([], ["--allow-database-url"]):
        with pytest.raises(CommandError, match="accounts that are not the demo's"):
            call_command("demo", *arguments)
    assert _written() == before
    assert all(Organisation.objects.filter(name__in=REAL).values_list("requires_two_factor", flat=True))


def test_the_cast_is_not_loaded_into_a_database_not_marked_as_a_demo(live_database):
    with pytest.raises(DemoRefused):
        demo_load()
    assert all(Organisation.objects.filter(name__in=REAL).values_list("requires_two_factor", flat=True))


def test_a_database_with_only_the_demo_accounts_is_marked_and_loads_again(cast, settings):
    """A demo database from before the mark existed, or one where the demo stopped half way."""
    DemoDatabase.objects.all().delete()
    settings.EMBEDDED = True
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert DemoDatabase.objects.count() == 1
    users = User.objects.count()
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert User.objects.count() == users


def test_the_command_line_exits_non_zero_and_writes_nothing(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENMASH_", "DJANGO_")) and key != "DATABASE_URL"
    }
    result = subprocess.run(
        [sys.executable, "-m", "openmash.cli", "demo"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**environment, "OPENMASH_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode != 0
    assert "Demo not loaded. OPENMASH_DEMO is not true" in result.stderr
    database = tmp_path / "openmash.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as connection:
            assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
