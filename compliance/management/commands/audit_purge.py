"""The retention purge: delete the audit entries older than a cutoff (a prefix of the chain),
after a checkpoint entry that keeps the rest verifiable. Privileged: run it with the audit
tables' owner role (docs/operations/database-roles.md) — the application's role may not suspend
the append-only triggers, and nothing else lets a session delete entries."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from compliance.audit import purge_before, retention_days, system_actor


class Command(BaseCommand):
    help = "Delete audit entries older than --before (YYYY-MM-DD), as the audit tables' owner."

    def add_arguments(self, parser):
        parser.add_argument("--before", type=date.fromisoformat, required=True)

    def handle(self, *args, before: date, **options):
        cutoff = timezone.make_aware(datetime.combine(before, time.min))
        try:
            deleted = purge_before(cutoff, actor=system_actor())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The purge was refused by the database ({type(exc).__name__}): run it as the "
                "owner of the audit tables (docs/operations/database-roles.md)."
            ) from exc
        self.stdout.write(
            f"Purged {deleted} audit entries older than {cutoff.date().isoformat()} "
            f"(entries are kept {retention_days()} days)."
        )
