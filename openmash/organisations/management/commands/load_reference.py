from django.core.management.base import BaseCommand

from openmash.organisations.services import reference_load


class Command(BaseCommand):
    help = (
        "Load or refresh the shipped reference organisations: councils with children's services in England "
        "and Wales, district councils, the 43 territorial police forces and the councils each covers, NHS "
        "regions and integrated care boards. Safe to run again."
    )

    def handle(self, *args, **options):
        result = reference_load()
        self.stdout.write(
            f"Loaded {result.councils} councils, {result.districts} districts, {result.police_forces} police "
            f"forces, {result.nhs_regions} NHS regions and {result.integrated_care_boards} integrated care boards."
        )
