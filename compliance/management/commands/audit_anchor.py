"""Sign the audit chain's head and keep it outside the database (AUDIT_ANCHOR_FILE and/or
AUDIT_ANCHOR_SYSLOG), as the periodic task does; or make the signing key."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from compliance.anchor import generate_key as generate_key_file
from compliance.anchor import write_anchor


class Command(BaseCommand):
    help = "Sign the audit chain's head (Ed25519) and append it to the anchor file / syslog."

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate-key",
            type=Path,
            metavar="FILE",
            help="write a new Ed25519 private key (PEM) to FILE and exit",
        )

    def handle(self, *args, generate_key: Path | None, **options):
        if generate_key is not None:
            try:
                generate_key_file(generate_key)
            except FileExistsError as exc:
                raise CommandError(f"{generate_key} exists: not overwritten.") from exc
            self.stdout.write(f"Wrote an Ed25519 private key to {generate_key}.")
            return
        try:
            record = write_anchor()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if record is None:
            raise CommandError("Nothing is sealed yet: nothing to anchor.")
        self.stdout.write(json.dumps(record, sort_keys=True))
