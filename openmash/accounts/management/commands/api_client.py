from django.core.management.base import BaseCommand, CommandError

from openmash.accounts.actors import system_actor
from openmash.accounts.models import ApiClient
from openmash.accounts.services import api_client_create, api_client_revoke
from openmash.lib.errors import InvalidInput
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "Manage an organisation's API clients. 'create' prints the token once, alone on the last line: "
        "only a digest of it is kept."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an API client and print its token")
        create.add_argument("--org", required=True, help="Organisation code or exact name")
        create.add_argument("--name", required=True, help="Name of the system that will use the token")
        listing = sub.add_parser("list", help="List API clients")
        listing.add_argument("--org", help="Only this organisation (code or exact name)")
        revoke = sub.add_parser("revoke", help="Revoke an API client: its token stops working at once")
        revoke.add_argument("--org", required=True)
        revoke.add_argument("--name", required=True)

    def _organisation(self, text):
        try:
            return organisation_resolve(text)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error

    def handle(self, *args, action, **options):
        if action == "create":
            organisation = self._organisation(options["org"])
            try:
                created = api_client_create(
                    actor=system_actor(organisation), organisation=organisation, name=options["name"]
                )
            except InvalidInput as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Created API client {created.client.name!r} for {organisation.name}. Its token (shown once):"
            )
            self.stdout.write(created.token)
        elif action == "list":
            clients = ApiClient.objects.select_related("organisation")
            if options["org"]:
                clients = clients.filter(organisation=self._organisation(options["org"]))
            for client in clients:
                state = "revoked" if client.revoked_at else "active"
                self.stdout.write(
                    f"{client.organisation.code}\t{client.name}\t{state}\tlast used {client.last_used_at or 'never'}"
                )
        else:
            organisation = self._organisation(options["org"])
            active = ApiClient.objects.filter(
                organisation=organisation, name=options["name"], revoked_at__isnull=True
            ).first()
            if active is None:
                raise CommandError(f"{organisation.name} has no active API client called {options['name']!r}")
            api_client_revoke(actor=system_actor(organisation), client=active)
            self.stdout.write(f"Revoked {active.name}.")
