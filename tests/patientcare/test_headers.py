"""Browser hardening on every page and API response (issue 17; patientcare/headers.py,
settings_headers.py): the test walks the whole URL conf, signed in as staff and anonymously.

Every response carries a Content-Security-Policy whose scripts need this response's nonce (never
'unsafe-inline' or 'unsafe-eval'), a Permissions-Policy and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize

from tests.factories import UserFactory, make_case

# Each URL argument's value: a real case's reference is filled in by the fixture; the others
# name an object that may or may not exist (a 404 must carry the headers too).
ARGUMENTS = {
    "pk": "1",
    "id": "1",
    "object_id": "1",
    "escalation_id": "1",
    "content_type_id": "1",
    "passkey_id": "1",
    "app_label": "cases",
    "url": "not-a-page/",
}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            regex = pattern.pattern.regex
            yield prefix + str(pattern.pattern), name, list(regex.groupindex), regex.groups


def every_url(reference: str) -> list[str]:
    """One URL per pattern of the URL conf, its arguments filled in from ARGUMENTS."""
    urls = []
    values = {**ARGUMENTS, "reference": reference}
    for route, name, arguments, groups in _patterns(get_resolver()):
        if name and not arguments and groups:  # positional (simple-history's version pages)
            urls.append(reverse(name, args=["1"] * groups))
        elif name:
            urls.append(reverse(name, kwargs={key: values[key] for key in arguments}))
        else:  # unnamed (the admin's redirect to a change page): fill in the route's arguments
            if "(?P<" in route:  # a regular expression: the admin's catch-all
                route, _ = normalize(route)[0]
                route = route % values
            url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match[1]], route)
            assert not re.search(r"[<>()^$]", url), route
            urls.append(url)
    return urls


@pytest.fixture
def urls(db) -> list[str]:
    case = make_case()
    found = every_url(case.reference)
    assert len(found) > 100  # the admin, the API, the console, the compliance pages, probes
    return [*found, "/no-such-page/", "/api/v1/no-such-endpoint/"]


def check_headers(url: str, response) -> None:
    where = f"{url} ({response.status_code})"
    policy = response.get("Content-Security-Policy", "")
    directives = {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }
    script = directives.get("script-src", [])
    assert "'self'" in script and any(v.startswith("'nonce-") for v in script), where
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    assert "'unsafe-inline'" not in directives.get("style-src", ["'self'"]), where
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'self'"], where
    assert directives.get("form-action") == ["'self'"], where
    assert directives.get("connect-src") == ["'self'", "ws://testserver"], where
    assert "http" not in policy  # no third-party origin anywhere
    features = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features, where
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control, where


def test_every_url_answers_staff_with_the_headers(urls):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="headers-admin", is_staff=True, is_superuser=True))
    statuses = set()
    for url in urls:
        response = client.get(url)
        statuses.add(response.status_code)
        check_headers(url, response)
    assert 200 in statuses  # signed in: pages, not only redirects to the login


def test_every_url_answers_anonymous_visitors_with_the_headers(urls):
    client = Client(raise_request_exception=False)
    for url in urls:
        check_headers(url, client.get(url))


def test_api_writes_and_errors_carry_the_headers(db):
    client = Client()
    client.force_login(UserFactory(username="headers-staff", is_staff=True))
    response = client.post("/api/v1/cases/", data={}, content_type="application/json")
    assert response.status_code in (400, 403)  # invalid, or refused to a staff member
    assert response["Content-Type"] == "application/json"
    check_headers("POST /api/v1/cases/", response)


def test_the_nonce_changes_with_every_response(client, db):
    nonces = {
        re.search(r"'nonce-([^']+)'", client.get("/admin/login/")["Content-Security-Policy"])[1]
        for _ in range(3)
    }
    assert len(nonces) == 3


def test_static_files_keep_their_cache(rf):
    """Static files are excepted: a path under STATIC_URL is left as it was."""
    from django.http import HttpResponse

    from patientcare.headers import BrowserHardeningMiddleware

    response = BrowserHardeningMiddleware(lambda request: HttpResponse("x"))(
        rf.get("/static/console/live.js")
    )
    assert "Cache-Control" not in response and "Permissions-Policy" not in response
