"""Walk the audit hash chain and compare it with the latest signed anchor; name the first broken
entry (exit status 1) or say it is intact."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit import acting_as, system_actor
from compliance.models import VerificationSource
from compliance.verify import run_recorded_verification


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain against the latest signed anchor; exit status 1 "
        "when it is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            type=Path,
            help="the anchor file to compare with (default: AUDIT_ANCHOR_FILE)",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--progress-every", type=int, default=100000)

    def handle(self, *args, anchors: Path | None, batch_size: int, progress_every: int, **options):
        actor = system_actor()
        if anchors is not None and not anchors.is_file():
            raise CommandError(f"Cannot read the anchor file {anchors}.")
        with acting_as(actor):
            _record, report = run_recorded_verification(
                source=VerificationSource.COMMAND,
                actor=actor,
                batch_size=max(batch_size, 1),
                progress_every=max(progress_every, 1),
                progress=lambda n: self.stderr.write(f"verified {n} entries…"),
                anchor_file=anchors,
            )
        waiting = f" {report.unsealed} entries not sealed yet."
        if not report.intact:
            where = f"chain_index {report.broken_at}" if report.broken_at is not None else "entry"
            entry = f" (entry id {report.entry_id})" if report.entry_id else ""
            raise CommandError(
                f"Audit chain BROKEN at {where}{entry}: {report.reason}. "
                f"{report.checked} entries verified; {report.anchor}.{waiting}",
                returncode=1,
            )
        head_text = f"head {report.head[0]} {report.head[1]}" if report.head else "empty trail"
        self.stdout.write(
            f"Audit chain intact: {report.checked} entries verified, {head_text}; "
            f"{report.anchor}.{waiting}"
        )
