"""Which databases the demo may load into: only one marked as a demo, or one that holds no real accounts and
is marked as the demo first loads into it.

The demo makes sign-ins with a published password and turns the second factor off for the organisations it
uses, which are real councils and a real police force: in a live service's database that would open it to
anyone who has read the README.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from openmash.accounts.models import User
from openmash.demo.models import DemoDatabase

# The demo's own sign-ins are made with addresses under this domain (.invalid never resolves, RFC 2606).
DEMO_EMAIL_DOMAIN = "demo.openmash.invalid"


class DemoRefused(Exception):
    """This database is not a demo one; the message says why and what to do."""


def demo_database_marked() -> bool:
    return DemoDatabase.objects.exists()


def demo_database_mark(*, demo_usernames: list[str], database_url_allowed: bool) -> None:
    """Mark this database as a demo, or refuse (writing nothing) unless it is one already or may become one.

    Refused: unless OPENMASH_DEMO is true; on a database named by DATABASE_URL unless ``database_url_allowed``;
    on a database with any account other than the demo's own (``demo_usernames`` at the demo's domain).
    """
    if not settings.DEMO:
        raise DemoRefused(
            "OPENMASH_DEMO is not true. The demo loads sign-ins with a published password and turns the second "
            "factor off: set OPENMASH_DEMO=true only for a database that holds nothing real (make demo does)."
        )
    if DemoDatabase._meta.db_table not in connection.introspection.table_names():
        raise DemoRefused("The database is not set up: run `openmash migrate` first.")
    with transaction.atomic():
        if demo_database_marked():
            return
        if not settings.EMBEDDED and not database_url_allowed:
            raise DemoRefused(
                "DATABASE_URL is set: the demo loads only into the embedded database unless asked. To load it "
                "into that database, which must hold nothing real, run `openmash demo --allow-database-url`."
            )
        others = User.objects.exclude(username__in=demo_usernames, email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        if others.exists():
            raise DemoRefused(
                "This database has accounts that are not the demo's and was never marked as a demo: the demo "
                "is not loaded into it. For a demo, use a new database (OPENMASH_VAR_DIR or DATABASE_URL)."
            )
        DemoDatabase.objects.create(marked_at=timezone.now())
