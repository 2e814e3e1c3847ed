"""Seal the committed audit entries not sealed yet (what the every-second beat task does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from compliance.sealer import seal_pending, unsealed_count


class Command(BaseCommand):
    help = "Chain the committed audit entries that are not sealed yet into the hash chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="Return at once when another sealer is at work (PostgreSQL).",
        )

    def handle(self, *args, no_wait: bool, **options):
        sealed = seal_pending(wait=not no_wait)
        waiting = unsealed_count()
        self.stdout.write(
            f"Sealed {sealed} audit entries; {waiting} not sealed yet "
            "(their transactions were still in flight)."
        )
