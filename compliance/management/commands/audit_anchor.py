"""Print (or write) the audit chain's head as JSON, to keep outside the database."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit import acting_as, current_head, system_actor


class Command(BaseCommand):
    help = "Export the audit chain's head (chain_index, entry_hash, timestamp) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="write the JSON to this file")

    def handle(self, *args, output: Path | None, **options):
        with acting_as(system_actor()):
            head = current_head()
        if head is None:
            raise CommandError("The audit trail is empty: nothing to anchor.")
        text = json.dumps(head, sort_keys=True)
        if output is not None:
            output.write_text(text + "\n")
        self.stdout.write(text)
