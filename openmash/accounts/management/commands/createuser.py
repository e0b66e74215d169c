import getpass

from django.core.management.base import BaseCommand, CommandError

from openmash.accounts.actors import system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import user_create
from openmash.lib.errors import InvalidInput
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "Create an account in an organisation with one or more roles. "
        f"Roles: {', '.join(Role.values)}. Without --password you are asked for one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", required=True, help="Organisation code or exact name, e.g. E06000004 or Stockton-on-Tees"
        )
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument(
            "--role", action="append", required=True, choices=Role.values, help="Repeat for more roles"
        )
        parser.add_argument(
            "--password", help="Initial password (prefer the prompt: command lines are logged)"
        )
        parser.add_argument(
            "--staff", action="store_true", help="Also allow the Django system admin (/system-admin/)"
        )

    def handle(self, *args, **options):
        try:
            organisation = organisation_resolve(options["org"])
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error
        password = options["password"] or getpass.getpass("Password: ")
        try:
            user = user_create(
                actor=system_actor(organisation),
                organisation=organisation,
                username=options["username"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                roles=options["role"],
                password=password,
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        if options["staff"]:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        self.stdout.write(f"Created {user.username} in {organisation.name} as {', '.join(options['role'])}.")
