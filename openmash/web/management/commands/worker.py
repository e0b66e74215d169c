from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run the background worker: deliveries, alerts and clocks, from the database-backed task queue. "
        "Safe to run several at once, on one host or many."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.2, help="Seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="Process what is queued, then exit")

    def handle(self, *args, interval, batch, **options):
        arguments = ["--interval", str(interval), "--queue-name", "*"]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments)
