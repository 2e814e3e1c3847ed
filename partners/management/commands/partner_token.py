"""Manage partner service accounts and API tokens from the command line, as the system account.

    manage.py partner_token account ORGANISATION USERNAME
    manage.py partner_token issue   ORGANISATION USERNAME --name NAME [--days N]
    manage.py partner_token rotate  ORGANISATION USERNAME TOKEN [--grace-minutes N]
    manage.py partner_token revoke  ORGANISATION USERNAME TOKEN
    manage.py partner_token list    [ORGANISATION] [--all]

ORGANISATION is the organisation's slug, USERNAME its service account, TOKEN a token's id (as
``list`` shows it) or the name of one of the account's not-revoked tokens. ``issue`` and
``rotate`` print the token once, alone on stdout (pipe it straight into a secret store); the
rest of what they say goes to stderr. Every change goes through ``partners.credentials`` with the
system account as the audited actor.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from compliance.audit import acting_as, system_actor
from partners import credentials
from partners.models import PartnerOrganisation, ServiceToken


def _messages_of(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {message}" if field != "__all__" else message
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "; ".join(error.messages)


class Command(BaseCommand):
    help = "Create partner service accounts; issue, rotate, revoke and list their API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

        account = sub.add_parser("account", help="create a service account for an organisation")
        account.add_argument("organisation", help="the organisation's slug")
        account.add_argument("username")

        issue = sub.add_parser("issue", help="issue a token (printed once)")
        issue.add_argument("organisation", help="the organisation's slug")
        issue.add_argument("username", help="the organisation's service account")
        issue.add_argument("--name", required=True, help="what the token is for")
        issue.add_argument("--days", type=int, help="validity in days (default: the setting)")

        rotate = sub.add_parser("rotate", help="replace a token (new one printed once)")
        rotate.add_argument("organisation")
        rotate.add_argument("username")
        rotate.add_argument("token", help="the token's id or name")
        rotate.add_argument("--grace-minutes", type=int, default=60)

        revoke = sub.add_parser("revoke", help="revoke a token now")
        revoke.add_argument("organisation")
        revoke.add_argument("username")
        revoke.add_argument("token", help="the token's id or name")

        listing = sub.add_parser("list", help="list tokens (never their secrets)")
        listing.add_argument("organisation", nargs="?")
        listing.add_argument("--all", action="store_true", help="also expired and revoked ones")

    def handle(self, *args, verb: str, **options):
        actor = system_actor()
        with acting_as(actor):
            try:
                verbs = {
                    "account": self._create_account,
                    "issue": self._issue,
                    "rotate": self._rotate,
                    "revoke": self._revoke,
                    "list": self._list,
                }
                verbs[verb](actor=actor, **options)
            except ValidationError as error:
                raise CommandError(_messages_of(error)) from None

    # --- look-ups -------------------------------------------------------------------------------

    @staticmethod
    def _organisation(slug: str) -> PartnerOrganisation:
        organisation = PartnerOrganisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No partner organisation has the slug {slug!r}.")
        return organisation

    def _account(self, slug: str, username: str) -> User:
        organisation = self._organisation(slug)
        account = User.objects.filter(username=username).select_related("organisation").first()
        if account is None or account.organisation_id != organisation.pk:
            raise CommandError(
                f"{organisation.slug} has no service account named {username!r} "
                f"(see: partner_token list {organisation.slug})."
            )
        return account

    def _token(self, slug: str, username: str, ref: str) -> ServiceToken:
        account = self._account(slug, username)
        tokens = ServiceToken.objects.filter(user=account)
        if ref.isdigit():
            found = list(tokens.filter(pk=int(ref)))
        else:
            found = list(tokens.filter(name=ref, revoked_at__isnull=True))
        if not found:
            raise CommandError(f"{username} has no token {ref!r} (see: partner_token list).")
        if len(found) > 1:
            ids = ", ".join(str(token.pk) for token in found)
            raise CommandError(f"Several tokens are named {ref!r} ({ids}); give the id.")
        return found[0]

    # --- verbs ----------------------------------------------------------------------------------

    def _create_account(self, *, actor, organisation, username, **options):
        account = credentials.service_account_create(
            actor=actor, organisation=self._organisation(organisation), username=username
        )
        self.stdout.write(f"Service account {account.username} created (id {account.pk}).")

    def _issue(self, *, actor, organisation, username, name, days, **options):
        account = self._account(organisation, username)
        token, plaintext = credentials.token_issue(
            actor=actor, account=account, name=name, days=days
        )
        self._print_once(token, plaintext)

    def _rotate(self, *, actor, organisation, username, token, grace_minutes, **options):
        old = self._token(organisation, username, token)
        new, plaintext = credentials.token_rotate(
            actor=actor, token=old, grace_minutes=grace_minutes
        )
        until = timezone.localtime(old.expiry)
        self.stderr.write(f"Token {old.pk} rotated; it stops working at {until:%Y-%m-%d %H:%M %Z}.")
        self._print_once(new, plaintext)

    def _revoke(self, *, actor, organisation, username, token, **options):
        found = self._token(organisation, username, token)
        credentials.token_revoke(actor=actor, token=found)
        self.stdout.write(f"Token {found.pk} ({found.name}) revoked.")

    def _list(self, *, actor, organisation=None, all=False, **options):
        tokens = ServiceToken.objects.select_related("user__organisation").order_by(
            "user__organisation__slug", "user__username", "-created"
        )
        if organisation:
            tokens = tokens.filter(user__organisation=self._organisation(organisation))
        now = timezone.now()
        if not all:
            tokens = tokens.usable(now)
        self.stdout.write(
            f"{'id':>6}  {'organisation':<24} {'account':<24} {'name':<28} {'status':<8} "
            f"{'expires':<16} last used"
        )
        for token in tokens:
            last = (
                f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "never"
            )
            slug = token.user.organisation.slug if token.user.organisation else "-"
            self.stdout.write(
                f"{token.pk:>6}  {slug:<24} "
                f"{token.user.username:<24} {token.name[:28]:<28} {token.status(now):<8} "
                f"{timezone.localtime(token.expiry):%Y-%m-%d %H:%M} {last}"
            )

    def _print_once(self, token: ServiceToken, plaintext: str) -> None:
        self.stderr.write(
            f"Token {token.pk} ({token.name}) for {token.user.username}, expires "
            f"{timezone.localtime(token.expiry):%Y-%m-%d %H:%M %Z}. Copy it now: it will not be "
            "shown again."
        )
        self.stdout.write(plaintext)
