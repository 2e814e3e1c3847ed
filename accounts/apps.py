from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.idle import stamp_at_login

        user_logged_in.connect(stamp_at_login, dispatch_uid="accounts.idle.stamp_at_login")
