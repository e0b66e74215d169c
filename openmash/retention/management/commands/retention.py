import uuid

from django.core.management.base import BaseCommand, CommandError

from openmash.accounts.actors import system_actor
from openmash.lib.errors import InvalidInput
from openmash.lib.govuk import govuk_date
from openmash.organisations.models import Organisation
from openmash.retention.rules import rules
from openmash.retention.services import (
    Due,
    legal_hold_lift,
    legal_hold_place,
    retention_run,
    retention_setting_set,
)


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a record ID") from error


class Command(BaseCommand):
    help = (
        "Retention of records (docs/data-protection.md). 'retention run' removes or anonymises what has "
        "passed its date under the rules and the area's own figures, writing an audit entry for each, and "
        "reports what went and what a legal hold kept ('--dry-run' reports only). 'retention rules' lists the "
        "rules and their sources; 'retention set' records an area's own figure; 'retention hold' and "
        "'retention lift' place and lift a legal hold. Run it nightly on one host."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Remove or anonymise what has passed its date, and report")
        run.add_argument("--dry-run", action="store_true", help="Report what would go; change nothing")
        sub.add_parser("rules", help="List the rules, their figures and their sources")
        setting = sub.add_parser("set", help="Record an organisation's own figure for one rule")
        setting.add_argument("--organisation", required=True, help="The organisation's code, e.g. E06000004")
        setting.add_argument("--rule", required=True, choices=sorted(rules()))
        setting.add_argument("--birthday", type=int, help="Keep at least until this birthday")
        setting.add_argument("--years-after", type=int, help="Keep at least this many years after the record")
        setting.add_argument("--reason", required=True, help="Why (the area's decision, its date)")
        hold = sub.add_parser("hold", help="Place a legal hold on a person's records or on one event")
        target = hold.add_mutually_exclusive_group(required=True)
        target.add_argument("--person", help="The person's ID")
        target.add_argument("--event", help="The event's ID")
        hold.add_argument("--reason", required=True, help="Why the records must be kept")
        lift = sub.add_parser("lift", help="Lift a legal hold")
        lift.add_argument("--hold", type=int, required=True, help="The hold's number")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except InvalidInput as invalid:
            raise CommandError(
                "; ".join(message for messages in invalid.errors.values() for message in messages)
            ) from invalid

    def _rules(self, **options) -> None:
        for rule in rules().values():
            statutory = " (statutory)" if rule.statutory else ""
            self.stdout.write(f"{rule.key}: {rule.label}{statutory}: kept until {rule.kept_until()}.")
            self.stdout.write(f"    {rule.source} {rule.url}")

    def _set(self, *, organisation, rule, birthday, years_after, reason, **options) -> None:
        found = Organisation.objects.filter(code=organisation).first()
        if found is None:
            raise CommandError(f"There is no organisation with the code {organisation}")
        retention_setting_set(
            actor=system_actor(found),
            organisation=found,
            rule=rule,
            birthday=birthday,
            years_after=years_after,
            reason=reason,
        )
        self.stdout.write(f"{found.name} keeps '{rules()[rule].label}' records under its own figure now.")

    def _hold(self, *, person, event, reason, **options) -> None:
        hold = legal_hold_place(
            actor=system_actor(),
            reason=reason,
            person_id=_uuid(person) if person else None,
            event_id=_uuid(event) if event else None,
        )
        self.stdout.write(f"Legal hold {hold.pk} placed: nothing it covers is removed until it is lifted.")

    def _lift(self, *, hold, **options) -> None:
        legal_hold_lift(actor=system_actor(), hold_id=hold)
        self.stdout.write(f"Legal hold {hold} lifted.")

    def _run(self, *, dry_run, **options) -> None:
        report = retention_run(actor=system_actor(), dry_run=dry_run)
        plan = report.plan
        if dry_run:
            self.stdout.write(f"Dry run on {govuk_date(plan.on)}: nothing changed.")
            self._list("Would remove", [*plan.events, *plan.people])
        else:
            self.stdout.write(f"Retention run on {govuk_date(plan.on)}.")
            self._list("Removed", [*report.events_removed, *report.people_removed])
        self._list("Kept on legal hold", plan.held)
        self.stdout.write(
            f"{len(plan.undetermined)} people's records cannot be dated yet (no date of birth, or a status "
            "still open) and are kept."
        )

    def _list(self, heading: str, items: list[Due]) -> None:
        self.stdout.write(f"{heading}: {len(items)}")
        for due in items:
            when = govuk_date(due.due_on) if due.due_on else "not dated"
            held = f"; held: {due.held}" if due.held else ""
            self.stdout.write(f"  {due.kind} {due.id}: {rules()[due.rule].label}, due {when}{held}")
