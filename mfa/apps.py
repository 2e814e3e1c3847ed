from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDefaultConfig


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Second factor"

    def ready(self) -> None:
        from mfa import checks  # noqa: F401 - registers the settings check


class AuthenticatorAppsConfig(TOTPDefaultConfig):
    """django-otp's TOTP plugin under a name people read in the admin ("Otp_Totp" otherwise)."""

    verbose_name = "Second factor: authenticator apps"
