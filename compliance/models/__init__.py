"""The audit kernel's records, one module per topic (all importable from ``compliance.models``):

* ``chain`` — the audit trail's hash chain: ``GENESIS_HASH``, ``AUDIT_CHAIN_LOCK_KEY``,
  ``canonical_json``, ``chain_hash``, ``compute_entry_hash``, ``content_type_label``.
* ``audit_manager`` — ``AuditEntryManager``: auditlog's manager plus each entry's subject.
* ``audit_entry`` — ``AuditEntry``: the append-only audit trail entry (docs/architecture/audit.md).
* ``seal`` — ``AuditSeal``: an entry's place in the hash chain, written by the sealer.
* ``verification`` — ``ChainVerification``: runs of the chain verification (``VerificationSource``).
"""

# isort: off
# The order the models were defined in (and are registered in: content types and permissions are
# created in it), as in the single module this package replaced.
from compliance.models.chain import (
    AUDIT_CHAIN_LOCK_KEY,
    GENESIS_HASH,
    canonical_content,
    canonical_json,
    chain_hash,
    compute_entry_hash,
    content_type_label,
)
from compliance.models.audit_manager import AuditEntryManager
from compliance.models.audit_entry import AuditEntry
from compliance.models.seal import AuditSeal
from compliance.models.verification import ChainVerification, VerificationSource

# isort: on

__all__ = [
    "AUDIT_CHAIN_LOCK_KEY",
    "GENESIS_HASH",
    "AuditEntry",
    "AuditEntryManager",
    "AuditSeal",
    "ChainVerification",
    "VerificationSource",
    "canonical_content",
    "canonical_json",
    "chain_hash",
    "compute_entry_hash",
    "content_type_label",
]
