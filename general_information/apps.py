"""General information and wayfinding (hours, locations, parking, services, provider availability):
a support kind without a detail model — the subject and description say it all."""

from django.apps import AppConfig


class GeneralInformationConfig(AppConfig):
    name = "general_information"
    verbose_name = "General information and wayfinding"

    def ready(self) -> None:
        from cases.registry import SupportKindSpec, registry

        registry.register(
            SupportKindSpec(
                slug="general_information",
                label="General information and wayfinding",
                description="Hours, locations, parking, services and provider availability.",
            )
        )
