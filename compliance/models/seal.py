"""An audit entry's place in the hash chain (``AuditSeal``), written insert-only by the sealer
(``compliance.sealer``) after the entry's transaction committed (docs/architecture/audit.md)."""

from __future__ import annotations

from django.db import models


class AuditSeal(models.Model):
    """Entry ``entry`` is number ``chain_index`` of the chain (gap-free, from 0): ``entry_hash`` =
    sha256(``prev_hash`` + canonical JSON of the entry), ``prev_hash`` the previous seal's hash
    (64 zeros for seal 0). Append-only like the entries (database triggers), and a separate table
    so that entries are never updated: sealing only ever inserts."""

    chain_index = models.PositiveBigIntegerField(primary_key=True)
    entry = models.OneToOneField(
        "compliance.AuditEntry", on_delete=models.PROTECT, related_name="seal"
    )
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain_index"]
        verbose_name = "audit seal"

    def __str__(self) -> str:
        return f"Audit seal {self.chain_index} of entry {self.entry_id}"

    def delete(self, *args, **kwargs):
        raise ValueError("Audit seals are append-only; see manage.py audit_purge.")
