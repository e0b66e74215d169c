import json

from django.core.management.base import BaseCommand, CommandError

from openmash.clocks import engine
from openmash.clocks.services import area_settings_for, overrides_for
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "Print when a statutory clock falls due, so anyone can check the rules. START is ISO 8601; without an "
        "offset it is Europe/London local time. Example: openmash due strategy-discussion 2026-12-24T16:00"
    )

    def add_arguments(self, parser):
        parser.add_argument("rule", help="A rule id, as listed by `openmash rules`")
        parser.add_argument("start", help="When the clock started (ISO 8601)")
        parser.add_argument(
            "--nation",
            default=engine.Nation.ENGLAND.value,
            choices=[nation.value for nation in engine.Nation],
            help="Whose rules and bank holidays apply (default england)",
        )
        parser.add_argument(
            "--org",
            default="",
            help="Apply this organisation's own figures for local defaults (code or exact name) and its nation",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object")

    def handle(self, *args, rule, start, nation, org, as_json: bool, **options):
        try:
            started = engine.parse_instant(start)
        except ValueError as error:
            raise CommandError(str(error)) from None
        overrides: dict[str, dict[str, int]] = {}
        note = ""
        if org:
            try:
                organisation = organisation_resolve(org)
            except UnknownOrganisation as error:
                raise CommandError(str(error)) from None
            nation = organisation.nation or nation
            overrides = overrides_for(organisation)
            if rule in overrides:
                setting = area_settings_for(organisation)[rule]
                note = f"{organisation.name} sets {setting.amount} {setting.unit}: {setting.reason}"
        try:
            due = engine.due(rule, started, nation=nation, overrides=overrides)
        except ValueError as error:
            raise CommandError(str(error)) from None
        start_local = started.astimezone(engine.LONDON)
        if as_json:
            payload = {
                "rule": rule,
                "nation": nation,
                "start": start_local.isoformat(),
                "due": due.isoformat(),
            }
            if note:
                payload["area_setting"] = note
            self.stdout.write(json.dumps(payload))
            return
        self.stdout.write(f"{rule} ({nation}) started {start_local.isoformat()} is due {due.isoformat()}")
        self.stdout.write(f"  {due:%A %-d %B %Y at %H:%M:%S} London time")
        if note:
            self.stdout.write(f"  area setting: {note}")
