"""Settings for the test suite: the real settings, with a fast password hash, the demo allowed (its cast is the
tests' personas) and the audit triggers left to the one test that checks them (the suite empties the database
between browser tests)."""

import os

os.environ.setdefault("OPENMASH_AUDIT_TRIGGERS", "false")
# Every test database is a demo one: the demo cast is the tests' personas (tests/conftest.py).
os.environ.setdefault("OPENMASH_DEMO", "true")
os.environ.setdefault("OPENMASH_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-0123456789")

from openmash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
