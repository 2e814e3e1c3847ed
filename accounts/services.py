"""Account services. ``system_user()`` is the explicit actor for management commands and tasks."""

from django.contrib.auth import get_user_model

from accounts.models import SYSTEM_USERNAME, User


def system_user() -> User:
    """The account that commands and background tasks act as (never logs in)."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"kind": User.Kind.SYSTEM, "is_active": True, "first_name": "PatientCare"},
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
