"""Walk the audit hash chain; name the first broken entry (exit status 1) or say it is intact."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.audit import acting_as, system_actor, verify_chain
from compliance.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit status 1 when it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--head", type=Path, help="a head exported by audit_anchor")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--progress-every", type=int, default=10000)

    def handle(self, *args, head: Path | None, batch_size: int, progress_every: int, **options):
        with acting_as(system_actor()):
            anchor = None
            if head is not None:
                try:
                    anchor = json.loads(head.read_text())
                    anchor_index, anchor_hash = int(anchor["chain_index"]), anchor["entry_hash"]
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    raise CommandError(f"Cannot read the head file {head}: {exc}") from exc

            report = verify_chain(
                batch_size=max(batch_size, 1),
                progress_every=max(progress_every, 1),
                progress=lambda n: self.stderr.write(f"verified {n} entries…"),
            )
            if not report.intact:
                raise CommandError(
                    f"Audit chain BROKEN at chain_index {report.broken_at} "
                    f"(entry id {report.entry_id}): {report.reason}. "
                    f"{report.checked} entries verified before it.",
                    returncode=1,
                )
            if anchor is not None:
                stored = (
                    AuditEntry.objects.filter(chain_index=anchor_index)
                    .values_list("entry_hash", flat=True)
                    .first()
                )
                if stored is None:
                    raise CommandError(
                        f"Audit chain BROKEN at chain_index {anchor_index}: the exported head is "
                        "missing (the newest entries were removed).",
                        returncode=1,
                    )
                if stored != anchor_hash:
                    raise CommandError(
                        f"Audit chain BROKEN at chain_index {anchor_index}: its hash differs from "
                        "the exported head (the chain was rewritten).",
                        returncode=1,
                    )
            head_text = f"head {report.head[0]} {report.head[1]}" if report.head else "empty trail"
            self.stdout.write(
                f"Audit chain intact: {report.checked} entries verified, {head_text}."
            )
