from django.core.management.base import BaseCommand

from openmash.demo.cast import DEMO_PASSWORD, SIGN_INS, demo_load
from openmash.organisations.models import Organisation
from openmash.organisations.services import reference_load


class Command(BaseCommand):
    help = "Load the demo organisations, one sign-in per role and some fictional families, then list the sign-ins."

    def handle(self, *args, **options):
        if not Organisation.objects.filter(is_reference=True).exists():
            reference_load()
        cast = demo_load()
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
        for username, org_key, role, _first, _last in SIGN_INS:
            self.stdout.write(f"  {username:<22} {role.label:<38} {cast.organisations[org_key].name}")
