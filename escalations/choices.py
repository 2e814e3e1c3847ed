"""The vocabularies of clinical escalation (docs/architecture/escalations.md)."""

from django.db import models


class PathwayKind(models.TextChoices):
    """Who an escalation goes to. Red-flag phrases, the refill and privacy rules pick a pathway
    by its kind (the first active pathway of that kind)."""

    NURSE_TRIAGE = "nurse_triage", "Nurse triage"
    PHARMACIST = "pharmacist", "Pharmacist"
    CARE_MANAGER = "care_manager", "Care manager"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    SUPERVISOR = "supervisor", "Supervisor"
    BILLING_SPECIALIST = "billing_specialist", "Billing specialist"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENT = "emergent", "Emergent"


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Waiting for acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    # Ended without an outcome because its case was closed (escalations.closing): the reason
    # says so; nobody acts on it any more.
    CANCELLED = "cancelled", "Cancelled"


# The statuses of an escalation nobody has finished: it still needs its recipients.
UNRESOLVED_STATUSES = (EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED)


class Source(models.TextChoices):
    """Why the escalation was opened."""

    MANUAL = "manual", "Escalated by staff"
    RED_FLAG = "red_flag", "Red flag in the patient's words"
    CLINICAL_REFILL = "clinical_refill", "Refill request with a clinical question"
    PRIVACY_COMPLAINT = "privacy_complaint", "Privacy complaint"
    FALLBACK = "fallback", "Not acknowledged in time: re-escalated"


class Outcome(models.TextChoices):
    ADVICE_GIVEN = "advice_given", "Advice given to the patient"
    APPOINTMENT = "appointment", "Appointment arranged"
    EMERGENCY_SERVICES = "emergency_services", "Sent to emergency services (911 / ED)"
    CRISIS_LINE = "crisis_line", "Connected to crisis services (988)"
    REFERRED = "referred", "Referred to another service"
    PRESCRIBER_CONTACTED = "prescriber_contacted", "Prescriber contacted"
    PRIVACY_INCIDENT = "privacy_incident", "Logged as a privacy incident"
    NO_ACTION = "no_action", "No clinical action needed"
    UNREACHABLE = "unreachable", "Patient could not be reached"


class Language(models.TextChoices):
    """Languages of red-flag phrase lists."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish / Español"
