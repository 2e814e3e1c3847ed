"""Who may use the compliance officer pages (docs/architecture/compliance-pages.md).

Every page x every role: the compliance officer may; agents, supervisors, administrators,
partner systems and a superuser without the role (issue 17) get a 404 (never a 403: the page does
not exist for them) and change nothing; anonymous users are sent to the login page. Then the finer
points: each page's own permission, service accounts, methods and CSRF."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.models import User
from compliance.models import AuditEntry, ChainVerification
from oversight.models import BreakGlassAccess, ReviewOutcome
from tests.compliance.conftest import ALLOWED, ANONYMOUS, ROLES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    url: str  # a URL name of the compliance app, or a name with a query string
    allowed_status: int
    method: str = "get"
    data: dict = field(default_factory=dict)
    by_pk: str = ""  # "patient" or "access": the URL takes that pk
    query: str = ""


PAGES = {
    "home": Page("oversight:home", 200),
    "trail": Page("oversight:trail", 200),
    "trail-filtered": Page("oversight:trail", 200, query="action=3"),
    "trail-export": Page("oversight:trail-export", 200),
    "patient-lookup": Page("oversight:patient-lookup", 200),
    "patient-lookup-mrn": Page("oversight:patient-lookup", 302, query="mrn=PAGES-0001"),
    "patient-access": Page("oversight:patient-access", 200, by_pk="patient"),
    "break-glass-list": Page("oversight:break-glass-list", 200),
    "break-glass-review": Page("oversight:break-glass-review", 200, by_pk="access"),
    "break-glass-sign-off": Page(
        "oversight:break-glass-review",
        302,
        method="post",
        data={"outcome": ReviewOutcome.APPROPRIATE, "notes": "Urgent and justified."},
        by_pk="access",
    ),
    "logins": Page("oversight:logins", 200),
    "logins-filtered": Page(
        "oversight:logins", 200, query="user=pages-agent&failures=on&since=2026-01-01"
    ),
    "chain": Page("oversight:chain", 200),
    "chain-verify-now": Page("oversight:chain-verify", 302, method="post"),
}


def url_of(page: Page, patient, access) -> str:
    args = {"patient": [patient.pk], "access": [access.pk], "": []}[page.by_pk]
    url = reverse(page.url, args=args)
    return f"{url}?{page.query}" if page.query else url


def request(client: Client, page: Page, url: str):
    return getattr(client, page.method)(url, page.data)


def assert_login_redirect(response, url: str) -> None:
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("admin:login")
    assert parse_qs(target.query)["next"] == [url]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_permission_matrix(client, role_users, patient, emergency, name, role):
    page = PAGES[name]
    user = role_users[role]
    if user is not None:
        client.force_login(user)
    url = url_of(page, patient, emergency)
    entries_before = AuditEntry.objects.count()

    response = request(client, page, url)

    if role == ANONYMOUS:
        assert_login_redirect(response, url)
    elif role in ALLOWED:
        assert response.status_code == page.allowed_status, response.content[:500]
    else:
        assert response.status_code == 404
        # ... and nothing happened: no sign-off, no verification, nothing read (nothing logged)
        assert BreakGlassAccess.objects.get().reviewed_at is None
        assert not ChainVerification.objects.exists()
        assert AuditEntry.objects.count() == entries_before
    if role not in ALLOWED:
        assert response.status_code != 403


def test_the_404_page_says_nothing_about_compliance(client, role_users):
    client.force_login(role_users["administrator"])
    response = client.get(reverse("oversight:trail"))
    assert response.status_code == 404
    assert b"audit" not in response.content.lower()


# --- each page's own permission -------------------------------------------------------------------


def person_with(*codenames: str, **fields) -> User:
    user = UserFactory(**fields)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=("compliance", "oversight"), codename__in=codenames
        )
    )
    return user


def statuses(client: Client, patient, access) -> dict[str, int]:
    return {
        name: request(client, page, url_of(page, patient, access)).status_code
        for name, page in PAGES.items()
        if page.method == "get"
    }


def test_the_trail_permission_alone_opens_the_trail_pages_but_not_export_or_reviews(
    client, patient, emergency
):
    """... and the report only on patients the person may see (``Patient.objects.restrict``):
    without a role that sees this patient, the MRN matches nobody and the report is a 404."""
    client.force_login(person_with("view_auditentry"))
    assert statuses(client, patient, emergency) == {
        "home": 200,
        "trail": 200,
        "trail-filtered": 200,
        "trail-export": 404,
        "patient-lookup": 200,
        "patient-lookup-mrn": 400,
        "patient-access": 404,
        "break-glass-list": 404,
        "break-glass-review": 404,
        "logins": 200,
        "logins-filtered": 200,
        "chain": 200,
    }
    response = client.post(reverse("oversight:chain-verify"))
    assert response.status_code == 404  # verifying needs add_chainverification too
    assert not ChainVerification.objects.exists()


def test_the_export_needs_both_permissions(client, patient, emergency):
    client.force_login(person_with("view_auditentry", "export_auditentry"))
    assert client.get(reverse("oversight:trail-export")).status_code == 200
    client.force_login(person_with("export_auditentry"))
    assert client.get(reverse("oversight:trail-export")).status_code == 404


def test_the_review_permission_alone_opens_the_reviews_and_the_home_page(
    client, patient, emergency
):
    client.force_login(person_with("review_breakglassaccess"))
    assert statuses(client, patient, emergency) == {
        "home": 200,
        "trail": 404,
        "trail-filtered": 404,
        "trail-export": 404,
        "patient-lookup": 404,
        "patient-lookup-mrn": 404,
        "patient-access": 404,
        "break-glass-list": 200,
        "break-glass-review": 200,
        "logins": 404,
        "logins-filtered": 404,
        "chain": 404,
    }
    home = client.get(reverse("oversight:home"))
    assert b"awaiting review" in home.content
    assert b"Who accessed a patient" not in home.content  # the report is not theirs


def test_verify_now_needs_add_chainverification(client):
    client.force_login(person_with("view_auditentry", "add_chainverification"))
    assert client.post(reverse("oversight:chain-verify")).status_code == 302
    assert ChainVerification.objects.get().intact is True


def test_a_service_account_never_uses_the_pages_whatever_its_permissions(
    client, patient, emergency
):
    every = [
        "view_auditentry",
        "export_auditentry",
        "review_breakglassaccess",
        "add_chainverification",
    ]
    client.force_login(person_with(*every, is_staff=False, kind=User.Kind.SERVICE))
    assert set(statuses(client, patient, emergency).values()) == {404}


# --- methods and CSRF -----------------------------------------------------------------------------


def test_state_changes_only_by_post(officer_client, emergency):
    assert officer_client.get(reverse("oversight:chain-verify")).status_code == 405
    assert officer_client.post(reverse("oversight:trail")).status_code == 405
    assert officer_client.post(reverse("oversight:home")).status_code == 405
    assert officer_client.post(reverse("oversight:break-glass-list")).status_code == 405
    review = reverse("oversight:break-glass-review", args=[emergency.pk])
    assert officer_client.put(review).status_code == 405
    assert not ChainVerification.objects.exists()


def test_posts_need_the_csrf_token(officer, emergency):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(reverse("oversight:chain-verify")).status_code == 403  # CSRF failure
    review = reverse("oversight:break-glass-review", args=[emergency.pk])
    refused = client.post(review, {"outcome": ReviewOutcome.APPROPRIATE})
    assert refused.status_code == 403
    assert not ChainVerification.objects.exists()
    assert BreakGlassAccess.objects.get().reviewed_at is None

    page = client.get(review)  # the form carries the token
    token = page.context["csrf_token"]
    assert f'value="{token}"'.encode() in page.content
    response = client.post(
        review, {"outcome": ReviewOutcome.APPROPRIATE, "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302


def test_pages_are_never_cached(officer_client):
    response = officer_client.get(reverse("oversight:trail"))
    assert "no-store" in response["Cache-Control"]
