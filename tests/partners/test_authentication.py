"""PartnerTokenAuthentication on a tiny DRF view (the real /api/v1/ endpoints live in api/):
Bearer tokens, 401 with a Bearer challenge for bad credentials, 403 with the refusal code when
the organisation may not use the API, rotation grace, immediate revocation, last use recorded at
most once a minute, a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import User
from partners import credentials
from partners.authentication import PartnerTokenAuthentication
from partners.models import PartnerOrganisation, ServiceToken
from tests.factories import UserFactory
from tests.partners.conftest import local_today

pytestmark = pytest.mark.django_db


class WhoAmI(APIView):
    authentication_classes = [PartnerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []  # the API's throttling is api/'s business, not authentication's

    def get(self, request):
        return Response({"user": request.user.username, "token": request.auth.pk})


class DefaultAuthView(APIView):
    """Uses settings.REST_FRAMEWORK's authentication classes."""

    throttle_classes = []

    def get(self, request):
        return Response({"user": request.user.username})


factory = APIRequestFactory()


def call(header: str | None, view=WhoAmI):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = view.as_view()(factory.get("/whoami", **extra))
    response.render()
    return response


def bearer(plaintext: str) -> str:
    return f"Bearer {plaintext}"


def refusal(response) -> tuple[str, str]:
    """(code, message) of an error response: the API's error format (api.errors) when it is
    the configured exception handler, DRF's {"detail": …} otherwise."""
    data = response.data
    if "error" in data:
        return data["error"]["code"], data["error"]["message"]
    return data["detail"].code, str(data["detail"])


def assert_refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.data
    found, message = refusal(response)
    assert found == code
    assert message  # a sentence a person can read
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    else:
        assert "WWW-Authenticate" not in response


def test_a_valid_token_authenticates_its_service_account(issued, account):
    token, plaintext = issued
    response = call(bearer(plaintext))
    assert response.status_code == 200
    assert response.data == {"user": account.username, "token": token.pk}


def test_the_scheme_is_case_insensitive(issued):
    _, plaintext = issued
    assert call(f"bearer {plaintext}").status_code == 200


def test_the_default_settings_use_the_partner_class_first(issued, account):
    _, plaintext = issued
    response = call(bearer(plaintext), view=DefaultAuthView)
    assert response.status_code == 200
    assert response.data == {"user": account.username}
    # no credentials at all: 401 with the Bearer challenge (not 403)
    response = call(None, view=DefaultAuthView)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer", "invalid_header"),
        ("Bearer a b", "invalid_header"),
        (
            "Bearer pc_0000000000000000000000000000000000000000000000000000000000000000",
            "invalid_token",
        ),
        ("Bearer not-a-token", "invalid_token"),
        ("Bearer " + "x" * 5000, "invalid_token"),
    ],
    ids=["no-token", "spaces", "unknown", "garbage", "huge"],
)
def test_bad_credentials_are_401_with_a_bearer_challenge(issued, header, code):
    assert_refused(call(header), 401, code)


def test_a_wrong_token_with_the_right_lookup_key_is_refused(issued):
    _, plaintext = issued
    forged = plaintext[:15] + ("0" if plaintext[15] != "0" else "1") + plaintext[16:]
    assert_refused(call(bearer(forged)), 401, "invalid_token")


def test_no_header_or_another_scheme_is_not_authenticated(issued):
    response = call(None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    response = call("Basic dXNlcjpwYXNz")
    assert response.status_code == 401


def test_revocation_is_immediate_and_the_token_stays_on_record(administrator, issued):
    token, plaintext = issued
    assert call(bearer(plaintext)).status_code == 200
    credentials.token_revoke(actor=administrator, token=token)
    assert_refused(call(bearer(plaintext)), 401, "token_revoked")
    assert ServiceToken.objects.filter(pk=token.pk).exists()


def test_an_expired_token_is_refused_and_kept(administrator, account):
    token, plaintext = credentials.token_issue(
        actor=administrator, account=account, name="short", days=1
    )
    other, _ = credentials.token_issue(actor=administrator, account=account, name="other", days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1), tick=False):
        assert_refused(call(bearer(plaintext)), 401, "token_expired")
    # knox's own class deletes expired tokens (this one and the account's others): ours does not
    assert ServiceToken.objects.filter(pk__in=[token.pk, other.pk]).count() == 2


def test_rotation_grace(administrator, issued):
    old, old_plaintext = issued
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new, new_plaintext = credentials.token_rotate(
            actor=administrator, token=old, grace_minutes=60
        )
        assert call(bearer(old_plaintext)).status_code == 200
        assert call(bearer(new_plaintext)).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=59), tick=False):
        assert call(bearer(old_plaintext)).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert_refused(call(bearer(old_plaintext)), 401, "token_expired")
        assert call(bearer(new_plaintext)).data["token"] == new.pk


def test_an_inactive_account_is_401(issued, account):
    _, plaintext = issued
    User.objects.filter(pk=account.pk).update(is_active=False)
    assert_refused(call(bearer(plaintext)), 401, "account_inactive")


def test_a_token_of_a_person_is_401(issued, administrator):
    token, plaintext = issued
    person = UserFactory(username="someone")
    ServiceToken.objects.filter(pk=token.pk).update(user=person)  # cannot be made via services
    assert_refused(call(bearer(plaintext)), 401, "not_service_account")


def test_a_service_account_without_organisation_is_401(issued, account):
    _, plaintext = issued
    User.objects.filter(pk=account.pk).update(organisation=None)
    assert_refused(call(bearer(plaintext)), 401, "no_organisation")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda today: {"active": False}, "organisation_inactive"),
        (lambda today: {"baa_effective_on": None}, "baa_missing"),
        (lambda today: {"baa_expires_on": None}, "baa_missing"),
        (
            lambda today: {"baa_effective_on": today + datetime.timedelta(days=1)},
            "baa_not_yet_effective",
        ),
        (lambda today: {"baa_expires_on": today - datetime.timedelta(days=1)}, "baa_expired"),
    ],
    ids=["inactive", "no-effective-date", "no-expiry-date", "not-yet", "expired"],
)
def test_organisations_without_api_access_are_403(issued, organisation, change, code):
    _, plaintext = issued
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(**change(local_today()))
    assert_refused(call(bearer(plaintext)), 403, code)


def test_baa_expiry_takes_effect_at_local_midnight(issued, organisation):
    _, plaintext = issued
    last_day = datetime.date(2026, 12, 31)
    PartnerOrganisation.objects.filter(pk=organisation.pk).update(
        baa_effective_on=datetime.date(2026, 1, 1), baa_expires_on=last_day
    )
    ServiceToken.objects.update(expiry=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    tz = timezone.get_default_timezone()
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 59, tzinfo=tz), tick=False):
        assert call(bearer(plaintext)).status_code == 200
    with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 1, tzinfo=tz), tick=False):
        response = call(bearer(plaintext))
    assert_refused(response, 403, "baa_expired")
    assert "expired on 2026-12-31" in refusal(response)[1]


def test_last_used_at_is_written_at_most_once_a_minute(issued):
    token, plaintext = issued
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        call(bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at == start

    soon = start + datetime.timedelta(seconds=30)
    with time_machine.travel(soon, tick=False), CaptureQueriesContext(connection) as queries:
        assert call(bearer(plaintext)).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == start

    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        assert call(bearer(plaintext)).status_code == 200
    assert len([q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    token.refresh_from_db()
    assert token.last_used_at == later


def test_last_use_is_not_audited(issued):
    from compliance.models import AuditEntry

    _, plaintext = issued
    before = AuditEntry.objects.count()
    call(bearer(plaintext))
    assert AuditEntry.objects.count() == before


def test_a_constant_number_of_queries(administrator, account, django_assert_num_queries):
    # Several tokens share nothing; each authentication is one SELECT (token + account +
    # organisation) and, the first time in a minute, one UPDATE of last_used_at.
    plaintexts = [
        credentials.token_issue(actor=administrator, account=account, name=f"t{n}")[1]
        for n in range(5)
    ]
    for plaintext in plaintexts:
        with django_assert_num_queries(2):
            assert call(bearer(plaintext)).status_code == 200
        with django_assert_num_queries(1):
            assert call(bearer(plaintext)).status_code == 200
    # refusals cost the same single look-up
    PartnerOrganisation.objects.update(active=False)
    with django_assert_num_queries(1):
        assert call(bearer(plaintexts[0])).status_code == 403
