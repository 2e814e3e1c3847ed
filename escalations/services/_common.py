"""What every escalation service shares: the limits of an escalation's text, the
priority an urgency raises a case to, card-data redaction of
free text (``_clean_text``) and the row lock of an escalation (``_lock``).
"""

from __future__ import annotations

import logging

from cases.choices import Priority
from cases.errors import Invalid
from compliance.pci import redact_card_data
from escalations.choices import Urgency
from escalations.models import Escalation

logger = logging.getLogger(__name__)

# The priority an escalation raises its case to, at least.
URGENCY_PRIORITY = {
    Urgency.EMERGENT: Priority.URGENT,
    Urgency.URGENT: Priority.HIGH,
    Urgency.ROUTINE: None,
}
SBAR_FIELDS = ("situation", "background", "assessment", "recommendation")
# What a person writing an escalation must fill in (the automatic ones write their own).
REQUIRED_SBAR = ("situation", "assessment", "recommendation")
MAX_REASON_LENGTH = 300
# Fallback chains longer than this are a configuration loop: stop and say so.
MAX_FALLBACK_DEPTH = 5


def _clean_text(field: str, value: str, *, required: bool, limit: int) -> str:
    text, redactions = redact_card_data((value or "").strip())  # PCI DSS: never store a PAN
    if redactions:
        logger.warning("card data redacted from an escalation field %s", field)
    if required and not text:
        raise Invalid("This part of the handoff is required.", code="blank", field=field)
    if len(text) > limit:
        raise Invalid(f"Keep this under {limit:,} characters.", code="max_length", field=field)
    return text


def _lock(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("pathway", "case")
        .get(pk=escalation.pk)
    )
