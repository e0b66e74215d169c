import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openmash.accounts.actors import operator_actor
from openmash.lib.errors import InvalidInput, NotFound
from openmash.organisations.models import OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.subjectaccess.render import document_bytes
from openmash.subjectaccess.services import subject_access_export

SUFFIXES = (".html", ".json", ".zip")


class Command(BaseCommand):
    help = (
        "Everything held about a person, for a subject access request (UK GDPR Art 15), with third parties, "
        "practitioners' names, free text and other agencies' records marked for the data protection officer's "
        "review before release: 'subject-access --person ID --council CODE_OR_NAME --reference REF "
        "--received YYYY-MM-DD --out FILE' (FILE ending .html, .json or .zip for both). The request is the "
        "reason: it is kept with its reference and the export audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--person", required=True, help="The person's record id (from their record page)")
        parser.add_argument(
            "--council", required=True, help="The council answering the request: code or name"
        )
        parser.add_argument("--reference", required=True, help="The council's reference for the request")
        parser.add_argument(
            "--received", help="The day the request was received, YYYY-MM-DD (today when left out)"
        )
        parser.add_argument("--out", type=Path, required=True, help="The file to write: .html, .json or .zip")

    def handle(self, *args, person, council, reference, received, out, **options):
        if out.suffix not in SUFFIXES:
            raise CommandError("--out must end .html, .json or .zip (the page and the JSON together)")
        try:
            organisation = organisation_resolve(council)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error
        if organisation.kind != OrganisationKind.COUNCIL:
            raise CommandError(f"{organisation.name} is not a council: a council answers the request")
        try:
            received_on = dt.date.fromisoformat(received) if received else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"{received!r} is not a date: give it as YYYY-MM-DD") from error
        try:
            export = subject_access_export(
                actor=operator_actor(organisation),
                person_id=person,
                reference=reference,
                received_on=received_on,
            )
        except NotFound as error:
            raise CommandError(f"{organisation.name} holds no record {person}") from error
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        out.write_bytes(document_bytes(export.document, out.suffix))
        marked = export.request.marked_for_review
        self.stderr.write(f"Wrote {out}: {marked} values marked for review before release")
