"""Settings fail loudly on bad values; the openmash command fronts the management commands."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPENMASH = str(Path(sys.executable).parent / "openmash")


def _settings_with(
    tmp_path, show: str = "settings.DEBUG, settings.TIME_ZONE", **env
) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("OPENMASH_") and k != "DATABASE_URL"
    }
    environment.update(
        {"OPENMASH_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "openmash.settings", **env}
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({show})",
        ],
        env=environment,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_defaults_are_safe(tmp_path):
    result = _settings_with(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False Europe/London"
    for name in ("secret_key", "audit_key"):
        secret = tmp_path / name
        assert secret.exists() and oct(secret.stat().st_mode)[-3:] == "600"
    assert (tmp_path / "secret_key").read_text() != (tmp_path / "audit_key").read_text()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OPENMASH_DEBUG": "perhaps"}, "OPENMASH_DEBUG must be true or false"),
        ({"OPENMASH_ALLOWED_HOSTS": "*"}, "may not contain '*'"),
        ({"DATABASE_URL": "postgres://u@localhost/db"}, "OPENMASH_SECRET_KEY is required"),
        (
            {
                "DATABASE_URL": "mysql://u@localhost/db",
                "OPENMASH_SECRET_KEY": "x" * 40,
                "OPENMASH_AUDIT_KEY": "y" * 40,
            },
            "must be a postgres:// or sqlite:/// URL",
        ),
        ({"OPENMASH_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"OPENMASH_HSTS_SECONDS": "a year"}, "OPENMASH_HSTS_SECONDS must be a whole number"),
        ({"OPENMASH_HSTS_SECONDS": "-1"}, "OPENMASH_HSTS_SECONDS must be a whole number"),
        ({"OPENMASH_SIGN_IN_FAILURE_LIMIT": "0"}, "OPENMASH_SIGN_IN_FAILURE_LIMIT must be 1 or more"),
        ({"OPENMASH_TRUSTED_PROXY_COUNT": "one"}, "OPENMASH_TRUSTED_PROXY_COUNT must be a whole number"),
        ({"OPENMASH_BEHIND_TLS_PROXY": "maybe"}, "OPENMASH_BEHIND_TLS_PROXY must be true or false"),
        (
            {"DATABASE_URL": "postgres://u@localhost/db", "OPENMASH_SECRET_KEY": "x" * 40},
            "OPENMASH_AUDIT_KEY is required",
        ),
        ({"OPENMASH_AUDIT_KEY": "short"}, "OPENMASH_AUDIT_KEY must be at least 32 characters"),
        (
            {"OPENMASH_WEBHOOK_PRIVATE_NETWORKS": "10.0.0.0/8, office"},
            "OPENMASH_WEBHOOK_PRIVATE_NETWORKS must be",
        ),
        (
            {"OPENMASH_SECRET_KEY": "x" * 40, "OPENMASH_AUDIT_KEY": "x" * 40},
            "OPENMASH_AUDIT_KEY must not be the same as OPENMASH_SECRET_KEY",
        ),
    ],
)
def test_bad_values_fail_at_start(tmp_path, env, message):
    result = _settings_with(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


_HSTS = "settings.SECURE_HSTS_SECONDS, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)"
_SERVER = {
    "DATABASE_URL": "postgres://u@localhost/db",
    "OPENMASH_SECRET_KEY": "x" * 40,
    "OPENMASH_AUDIT_KEY": "y" * 40,
}


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({}, "0 None"),
        (_SERVER, "31536000 None"),
        ({**_SERVER, "OPENMASH_SECURE_COOKIES": "false"}, "0 None"),
        ({**_SERVER, "OPENMASH_HSTS_SECONDS": "300"}, "300 None"),
        ({**_SERVER, "OPENMASH_BEHIND_TLS_PROXY": "true"}, "31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"),
    ],
)
def test_hsts_is_on_where_cookies_are_secure_and_the_proxy_header_only_when_asked(tmp_path, env, shown):
    result = _settings_with(tmp_path, show=_HSTS, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


def test_sqlite_runs_in_wal_mode_with_full_sync(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL


def _cli_env(tmp_path) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENMASH_", "DJANGO_")) and k != "DATABASE_URL"
    }
    return {**environment, "OPENMASH_VAR_DIR": str(tmp_path)}


def test_command_line_lists_the_operator_commands(tmp_path):
    result = subprocess.run(
        [OPENMASH, "help"], capture_output=True, text=True, check=True, cwd=ROOT, env=_cli_env(tmp_path)
    )
    for command in [
        "serve",
        "worker",
        "demo",
        "load_reference",
        "createuser",
        "api_client",
        "audit",
        "migrate",
    ]:
        assert command in result.stdout


@pytest.mark.parametrize(
    "command", ["serve", "worker", "load-reference", "api-client", "demo", "createuser", "audit"]
)
def test_every_command_has_help_text(tmp_path, command):
    result = subprocess.run(
        [OPENMASH, command, "--help"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=_cli_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) > 3
