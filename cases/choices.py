"""The vocabularies of a case: languages, channels, support kinds, priorities, statuses, events."""

from django.db import models


class Language(models.TextChoices):
    """Patients' preferred languages (ISO 639-1; Haitian Creole 'ht'). Patient-facing text exists
    in English and Spanish; the others drive routing to bilingual queues and interpreters."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish / Español"
    CHINESE = "zh", "Chinese"
    VIETNAMESE = "vi", "Vietnamese"
    TAGALOG = "tl", "Tagalog"
    ARABIC = "ar", "Arabic"
    KOREAN = "ko", "Korean"
    RUSSIAN = "ru", "Russian"
    HAITIAN_CREOLE = "ht", "Haitian Creole"
    PORTUGUESE = "pt", "Portuguese"
    FRENCH = "fr", "French"


class Channel(models.TextChoices):
    """Where a contact arrived."""

    VOICE = "voice", "Voice"
    CHAT = "chat", "Chat"
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    PORTAL = "portal", "Portal message"
    PARTNER_API = "partner_api", "Partner API"


class ContactChannel(models.TextChoices):
    """How a patient prefers to be reached back."""

    PHONE = "phone", "Phone call"
    SMS = "sms", "SMS"
    EMAIL = "email", "E-mail"
    PORTAL = "portal", "Portal message"
    MAIL = "mail", "Postal mail"


class Priority(models.IntegerChoices):
    """Higher is more urgent, so ``order_by("-priority")`` puts the most urgent first."""

    LOW = 10, "Low"
    NORMAL = 20, "Normal"
    HIGH = 30, "High"
    URGENT = 40, "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_PATIENT = "waiting_on_patient", "Waiting on patient"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party", "Waiting on third party"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class EventKind(models.TextChoices):
    OPENED = "opened", "Opened"
    REPLY = "reply", "Reply to patient"
    INBOUND = "inbound", "Message from the patient"
    NOTE = "note", "Internal note"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    UNASSIGNED = "unassigned", "Unassigned"
    BREAK_GLASS = "break_glass", "Emergency access (break-the-glass)"
    # Clinical escalation (escalations/): opened (SBAR in the escalation), taken, finished.
    ESCALATED = "escalated", "Escalated"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation acknowledged"
    ESCALATION_RESOLVED = "escalation_resolved", "Escalation resolved"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    # A red flag in the patient's words that no active escalation pathway takes (a configuration
    # gap): the case page shows the emergency script for it while the case is open.
    RED_FLAG_UNROUTED = "red_flag_unrouted", "Red flag, no escalation pathway"
    # The timer sweep (cases.timers.sweep): a target about to pass, a target passed.
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    # Issue 15's write paths: sensitivity (42 CFR Part 2 and the like), moving and recategorising.
    SENSITIVITY_CHANGED = "sensitivity_changed", "Sensitivity changed"
    QUEUE_CHANGED = "queue_changed", "Moved to another queue"
    CATEGORY_CHANGED = "category_changed", "Category changed"
    # Complaints' regulatory deadlines (complaints/): acknowledged, answered, a deadline missed.
    COMPLAINT_ACKNOWLEDGED = "complaint_acknowledged", "Complaint acknowledged"
    COMPLAINT_RESPONDED = "complaint_responded", "Complaint answered"
    COMPLAINT_OVERDUE = "complaint_overdue", "Complaint deadline missed"
    # An open escalation ended without a clinical outcome (the case was closed, with a reason).
    ESCALATION_CANCELLED = "escalation_cancelled", "Escalation cancelled"
    # A patient record flagged at intake was reconciled: merged into the record it collided
    # with, or confirmed a different person (cases.reconciliation).
    PATIENT_RECONCILED = "patient_reconciled", "Patient record reconciled"


# The patient conversation: the only events the patient (and a partner relaying it) sees.
CONVERSATION_KINDS = (EventKind.REPLY, EventKind.INBOUND)


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal (staff only)"
    PATIENT = "patient", "Visible to the patient"
