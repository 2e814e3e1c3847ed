"""Partner organisations: the EHRs, billing systems, portals, IVRs, outsourced contact centers and
chatbots that submit cases. Cases keep the organisation they came from
(``Case.source_organisation``).

The BAA, credentials, idempotency and webhook parts arrive with the partner API (issue 6); this
model is the stable anchor they hang on.
"""

from django.db import models


class PartnerOrganisation(models.Model):
    class Kind(models.TextChoices):
        EHR = "ehr", "EHR"
        BILLING = "billing", "Billing system"
        PORTAL = "portal", "Patient portal"
        TELEPHONY = "telephony", "IVR / telephony"
        CONTACT_CENTER = "contact_center", "Outsourced contact center"
        CHATBOT = "chatbot", "Chatbot"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.OTHER)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "partner organisation"

    def __str__(self) -> str:
        return self.name
