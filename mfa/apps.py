from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Second factor"

    def ready(self) -> None:
        from mfa import checks  # noqa: F401 - registers the settings check
