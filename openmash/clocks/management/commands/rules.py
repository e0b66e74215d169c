from django.core.management.base import BaseCommand, CommandError

from openmash.clocks import engine
from openmash.clocks.services import area_settings_for, figure_words
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = "List the statutory clock rules of a nation with their figures and sources (and an area's own figures)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--nation",
            default=engine.Nation.ENGLAND.value,
            choices=[nation.value for nation in engine.Nation],
            help="Whose rules (default england)",
        )
        parser.add_argument(
            "--org", default="", help="Show this organisation's own figures for local defaults"
        )

    def handle(self, *args, nation, org, **options):
        settings = {}
        if org:
            try:
                organisation = organisation_resolve(org)
            except UnknownOrganisation as error:
                raise CommandError(str(error)) from None
            nation = organisation.nation or nation
            settings = dict(area_settings_for(organisation))
        for rule in engine.load_rules(nation).values():
            local = " (local default: an area may set its own)" if rule.local_default else ""
            self.stdout.write(f"{rule.id}: {rule.title}")
            self.stdout.write(f"  starts: {rule.starts}")
            self.stdout.write(f"  deadline: {figure_words(rule.unit, rule.amount)}{local}")
            if rule.target_share is not None:
                self.stdout.write(f"  target: {rule.target_share:.0%} of cases")
            if rule.id in settings:
                setting = settings[rule.id]
                self.stdout.write(
                    f"  area setting: {figure_words(setting.unit, setting.amount)} ({setting.reason})"
                )
            self.stdout.write(f"  source: {rule.source}")
