"""``manage.py mfa_reset USERNAME``: remove every authenticator and recovery code of a person
(a lost phone) when no administrator can sign in to do it in the admin — for example the only
administrator's own. Audited as ``mfa_reset`` by the system account. The person sets up a new
authenticator at their next login (if they must)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from compliance.audit import acting_as, system_actor
from mfa.services import second_factor_reset


class Command(BaseCommand):
    help = "Reset a person's second factor (all authenticators and recovery codes); audited."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        actor = system_actor()
        with acting_as(actor):
            removed = second_factor_reset(actor=actor, user=user)
        self.stdout.write(
            f"Second factor of {username} reset: {removed} device(s) removed. They set up a new "
            "authenticator at their next login."
        )
