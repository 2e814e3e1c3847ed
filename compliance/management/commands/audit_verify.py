"""Walk the audit hash chain; name the first broken entry (exit status 1) or say it is intact."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit import acting_as, run_recorded_verification, system_actor
from compliance.models import VerificationSource


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit status 1 when it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--head", type=Path, help="a head exported by audit_anchor")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--progress-every", type=int, default=10000)

    def handle(self, *args, head: Path | None, batch_size: int, progress_every: int, **options):
        actor = system_actor()
        with acting_as(actor):
            anchor = None
            if head is not None:
                try:
                    exported = json.loads(head.read_text())
                    anchor = (int(exported["chain_index"]), str(exported["entry_hash"]))
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    raise CommandError(f"Cannot read the head file {head}: {exc}") from exc

            _record, report = run_recorded_verification(
                source=VerificationSource.COMMAND,
                actor=actor,
                batch_size=max(batch_size, 1),
                progress_every=max(progress_every, 1),
                progress=lambda n: self.stderr.write(f"verified {n} entries…"),
                anchor=anchor,
            )
            if not report.intact:
                entry = f" (entry id {report.entry_id})" if report.entry_id else ""
                raise CommandError(
                    f"Audit chain BROKEN at chain_index {report.broken_at}{entry}: "
                    f"{report.reason}. {report.checked} entries verified.",
                    returncode=1,
                )
            head_text = f"head {report.head[0]} {report.head[1]}" if report.head else "empty trail"
            self.stdout.write(
                f"Audit chain intact: {report.checked} entries verified, {head_text}."
            )
