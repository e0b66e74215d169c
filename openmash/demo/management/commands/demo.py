import logging

from django.core.management.base import BaseCommand, CommandError

from openmash.demo.cast import DEMO_PASSWORD, SIGN_INS, demo_load
from openmash.demo.services import DemoRefused, demo_database_mark
from openmash.demo.story import demo_story_load
from openmash.organisations.models import Organisation
from openmash.organisations.services import reference_load


class Command(BaseCommand):
    help = (
        "Load the demo organisations, one sign-in per role and some fictional families, record a few days of "
        "recent work about them, then list the sign-ins. Only with OPENMASH_DEMO=true, and only into a "
        "database marked as a demo or one with no accounts but the demo's (which it then marks): never into "
        "a live service's database. Loading again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-database-url",
            action="store_true",
            help="load into the database DATABASE_URL names (it must hold nothing real), not only the embedded one",
        )

    def handle(self, *args, **options):
        usernames = [username for username, *_rest in SIGN_INS]
        try:
            demo_database_mark(demo_usernames=usernames, database_url_allowed=options["allow_database_url"])
        except DemoRefused as refusal:
            raise CommandError(f"Demo not loaded. {refusal}") from refusal
        if not Organisation.objects.filter(is_reference=True).exists():
            reference_load()
        cast = demo_load()
        # The story delivers its shares as the worker would; their one log line each is not news here.
        delivery_log = logging.getLogger("openmash.sharing.channels")
        level = delivery_log.level
        delivery_log.setLevel(logging.WARNING)
        try:
            recorded = demo_story_load(cast)
        finally:
            delivery_log.setLevel(level)
        if recorded:
            self.stdout.write("Demo story recorded:")
            for line in recorded:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write("Demo story already recorded: nothing added")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
        for username, org_key, role, _first, _last in SIGN_INS:
            self.stdout.write(f"  {username:<22} {role.label:<38} {cast.organisations[org_key].name}")
