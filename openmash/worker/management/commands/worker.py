from django.core.management.base import BaseCommand

from openmash.worker.loop import run_worker


class Command(BaseCommand):
    help = (
        "Run the background worker: deliver shares to inboxes, webhooks and alerts, retry failures, escalate "
        "shares past their deadline, once a minute append a signed checkpoint of the audit trail's head to "
        "the checkpoint file if it moved, and work out again the partnership dashboard's national comparison "
        "every OPENMASH_NATIONAL_COMPARISON_MINUTES (default 15). Safe to run several at once, on one host or many."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--poll", type=float, default=0.05, help="Seconds between polls on SQLite (default 0.05)"
        )
        parser.add_argument("--batch", action="store_true", help="Deliver what is due now, then exit")

    def handle(self, *args, poll, batch, **options):
        run_worker(poll_seconds=poll, batch=batch)
