"""Patient portal and technology issues. No field here holds a password or any other secret:
agents never ask for one, and a password reset goes through the portal's own reset flow."""

from django.core.exceptions import ValidationError
from django.db import models

from cases.details import CaseDetail


class IssueType(models.TextChoices):
    LOGIN = "login", "Login"
    PASSWORD_RESET = "password_reset", "Password reset"
    LOCKED_ACCOUNT = "locked_account", "Locked account"
    NAVIGATION = "navigation", "Navigation"
    TELEHEALTH_AUDIO_VIDEO = "telehealth_audio_video", "Telehealth audio / video"
    PROXY_ACCESS = "proxy_access", "Proxy access"


class Device(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    LAPTOP = "laptop", "Laptop"
    PHONE = "phone", "Phone"
    TABLET = "tablet", "Tablet"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class ProxyRelationship(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Guardian"
    CAREGIVER = "caregiver", "Caregiver"
    OTHER = "other", "Other"


class PortalIssue(CaseDetail):
    IssueType = IssueType
    Device = Device
    ProxyRelationship = ProxyRelationship

    issue_type = models.CharField(max_length=32, choices=IssueType.choices)
    portal_username = models.CharField(
        max_length=150,
        blank=True,
        help_text="The portal username only. Never record a password, PIN or security answer.",
    )
    device = models.CharField(max_length=16, choices=Device.choices, default=Device.UNKNOWN)
    browser = models.CharField(max_length=60, blank=True, help_text="For example Firefox 140.")
    proxy_name = models.CharField(
        max_length=100, blank=True, help_text="Proxy access: who is calling for the patient."
    )
    proxy_relationship = models.CharField(
        max_length=16, choices=ProxyRelationship.choices, blank=True
    )

    class Meta:
        verbose_name = "portal issue"
        verbose_name_plural = "portal issues"
        indexes = [models.Index(fields=["issue_type"], name="portal_issue_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issue_type__in=IssueType.values),
                name="portal_issue_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(device__in=Device.values), name="portal_device_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(proxy_relationship__in=[*ProxyRelationship.values, ""]),
                name="portal_proxy_relationship_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(issue_type=IssueType.PROXY_ACCESS)
                | (~models.Q(proxy_name="") & ~models.Q(proxy_relationship="")),
                name="portal_proxy_access_names_proxy",
            ),
        ]

    def clean(self) -> None:
        # Identity verification of a proxy must name who is calling and how they are related.
        if self.issue_type != self.IssueType.PROXY_ACCESS:
            return
        errors = {}
        if not (self.proxy_name or "").strip():
            errors["proxy_name"] = ValidationError(
                "Proxy access needs the name of the person calling.", code="required"
            )
        if not self.proxy_relationship:
            errors["proxy_relationship"] = ValidationError(
                "Proxy access needs the caller's relationship to the patient.", code="required"
            )
        if errors:
            raise ValidationError(errors)
