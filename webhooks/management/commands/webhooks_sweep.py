"""Hand due webhook messages to delivery now: what celery beat's ``webhooks.sweep`` does every
minute. Useful in the embedded default (eager Celery, no beat), where retries wait for it."""

from django.core.management.base import BaseCommand

from webhooks.outbox import SWEEP_BATCH, sweep_due


class Command(BaseCommand):
    help = "Deliver (or hand to the broker) the webhook messages that are due."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=SWEEP_BATCH)

    def handle(self, *args, limit: int, **options):
        count = sweep_due(limit=limit)
        self.stdout.write(f"{count} webhook message(s) handed to delivery.")
