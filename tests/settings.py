"""Settings for the test suite: the real settings, with a fast password hash, the demo allowed (its cast is the
tests' personas) and the audit triggers left to the one test that checks them (the suite empties the database
between browser tests)."""

import os

os.environ.setdefault("OPENMASH_AUDIT_TRIGGERS", "false")
# Every test database is a demo one: the demo cast is the tests' personas (tests/conftest.py).
os.environ.setdefault("OPENMASH_DEMO", "true")
os.environ.setdefault("OPENMASH_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-0123456789")
os.environ.setdefault("OPENMASH_AUDIT_KEY", "test-audit-key-held-outside-the-database-0123456789")

from openmash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test is given a checkpoint file of its own (tests/conftest.py); this one is only for anything outside.
AUDIT_CHECKPOINTS = VAR_DIR / "test-audit-checkpoints.jsonl"  # noqa: F405

# The suite's stand-in webhook receivers (tests/sharing/receivers.py) listen on plain http on loopback.
WEBHOOK_HTTP_LOOPBACK = True
