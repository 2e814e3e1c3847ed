"""The user model: people (agents, supervisors, compliance officers, administrators) and the
service accounts through which partner systems and background jobs act.

A custom user model from the first migration, as Django recommends, so that roles and partner
service accounts can grow fields without a painful swap later.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        SERVICE = "service", "Service account"
        SYSTEM = "system", "System"

    kind = models.CharField(
        max_length=16,
        choices=Kind.choices,
        default=Kind.PERSON,
        help_text="Service accounts act for partner systems; the system account for commands "
        "and background tasks. Only people log in to the pages.",
    )

    organisation = models.ForeignKey(
        "partners.PartnerOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_accounts",
        help_text="For a partner's service account: the organisation it acts for.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "service", "system"]),
                name="accounts_user_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True) | models.Q(kind="service"),
                name="accounts_only_service_accounts_have_an_organisation",
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


SYSTEM_USERNAME = "system"
