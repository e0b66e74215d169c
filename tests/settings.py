"""Settings for the test suite: the real settings, with a fast password hash and the audit triggers left to
the one test that checks them (the suite empties the database between browser tests)."""

import os

os.environ.setdefault("OPENMASH_AUDIT_TRIGGERS", "false")
os.environ.setdefault("OPENMASH_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-0123456789")

from openmash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite's stand-in webhook receivers (tests/sharing/receivers.py) listen on plain http on loopback.
WEBHOOK_HTTP_LOOPBACK = True
