from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Partner organisations"

    def ready(self) -> None:
        from compliance.audit import register_audited
        from partners.models import PartnerOrganisation, ServiceToken

        register_audited(PartnerOrganisation, m2m_fields={"allowed_categories"})
        register_audited(ServiceToken, include_fields=ServiceToken.AUDITED_FIELDS)  # no digest
