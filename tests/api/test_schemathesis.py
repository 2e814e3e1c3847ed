"""Schemathesis against the API's own OpenAPI schema (issue 6: "no 5xx, no schema violations").

What runs
    Every operation of the schema, once per identity, through schemathesis's three phases: the
    schema's own request examples, the coverage phase (boundary and invalid values of every
    parameter and body field, unexpected methods) and the fuzzing phase (``MAX_EXAMPLES`` valid and
    invalid requests), with a fixed seed and ``derandomize``: the same requests on every run of
    the same code.

The schema
    drf-spectacular's generator, as ``GET /api/v1/schema/`` runs it; the last test pins that the
    served document is this one.

The app
    ``patientcare.wsgi.application``, called in process by werkzeug's test client (schemathesis's
    WSGI transport): the whole middleware stack, authentication, CSRF, throttling classes and
    error middleware; no server, no socket.

The identities
    A partner's service account with a real Bearer token (organisation with a BAA in force,
    allowed the categories the schema's examples use, one with details); a staff agent with a real
    session cookie. Unsafe methods with a session need CSRF (Django's middleware and DRF's
    ``SessionAuthentication`` both check it): the agent sends what a browser sends, the
    ``csrftoken`` cookie and the same secret in ``X-CSRFToken``, so CSRF stays enforced.
    (``enforce_csrf_checks=False`` is a flag of Django's test client only; ``patientcare.wsgi``
    has no such switch, and skipping the check would fuzz a path no browser takes.) Schemathesis
    does not generate credentials (``with-security-parameters = false``): 401s are tested
    elsewhere (tests/partners/, tests/api/test_permission_matrix.py).

Real records
    ``{reference}`` is mostly drawn among placeholders replaced at call time by the identity's own
    case or by a case it may not see (404), and the schema's examples are sent about the
    identity's own case, so operations get past the 404 into their serializers and services;
    generated cases often name an existing category and a valid patient, so they reach
    ``case_open``.

Checks
    not_a_server_error, status_code_conformance, content_type_conformance,
    response_schema_conformance, response_headers_conformance. A failure fails the test with
    schemathesis's report (the failing check, the response, a curl reproduction) and Django's
    traceback of a 500 in the captured log.

Database
    The records are built once for the module in a transaction rolled back at its end
    (``module_transaction``); each test runs in a savepoint of it (``db``), and each request in a
    savepoint of its own that is rolled back, so every example starts from the same records and a
    shrunk or replayed failure is faithful. The WSGI handler runs on the test's thread, so it uses
    the test's connection and sees the uncommitted records. Django's request signals close "old"
    connections; a connection inside a transaction counts as one, so, like Django's test client,
    the ``identities`` fixture detaches ``close_old_connections`` during the test.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from guardian.shortcuts import assign_perm
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from accounts.roles import Role, ensure_role_groups
from cases.choices import Channel
from partners import credentials
from partners.models import PartnerOrganisation
from patientcare.wsgi import application
from tests.api.conftest import module_transaction
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case, patient_fields

SEED = 20260302
# Generated requests per operation and identity, on top of the examples and the coverage phase
# (which make most of the ~1,700 requests of a run).
MAX_EXAMPLES = 30

PARTNER = "partner"
AGENT = "agent"
IDENTITIES = (PARTNER, AGENT)

# Path parameters the generator may pick; replaced by real references just before the call.
OWN_CASE = "ST-OWN-CASE"  # the partner's case, in the queue the agent works
OTHER_CASE = "ST-OTHER-CASE"  # a case that exists but that the identity may not see (404)
CATEGORY_SLUGS = ("refill-request", "hours-and-locations", "statement")
VALID_PATIENT = {
    "given_name": "Testy",
    "family_name": "Fictional",
    "date_of_birth": "1980-01-31",
    "phone": "+12025550123",
}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def served_schema() -> dict:
    """The document ``GET /api/v1/schema/?format=json`` answers (``SpectacularAPIView``: the
    same generator, version and public flag), as JSON through drf-spectacular's renderer."""
    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


RAW_SCHEMA = served_schema()

schema = schemathesis.openapi.from_dict(
    RAW_SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",  # valid and invalid requests
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "with-security-parameters": False,  # our credentials, never generated ones
            },
            "phases": {"stateful": {"enabled": False}},
            # Reports mask credentials (Authorization, Cookie, X-CSRFToken) but show the
            # Idempotency-Key, which a reproduction needs (the default markers include "key").
            "output": {
                "sanitization": {
                    "sensitive-markers": [
                        "token",
                        "secret",
                        "password",
                        "passwd",
                        "auth",
                        "session",
                        "credential",
                    ]
                }
            },
        }
    ),
)
schema.app = application


# --- steering generation towards real records ----------------------------------------------------


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Three ``{reference}``s in four name a real case: the identity's own (twice as likely) or
    one it may not see; the rest are whatever the schema allows."""
    if not isinstance(path_parameters, dict) or "reference" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from([OWN_CASE, OWN_CASE, OTHER_CASE, None]).map(
        lambda reference: (
            path_parameters if reference is None else {**path_parameters, "reference": reference}
        )
    )


@schema.hook
def before_add_examples(context, examples):
    """The schema's request examples are sent about the identity's own case."""
    for example in examples:
        if example.path_parameters and "reference" in example.path_parameters:
            example.path_parameters["reference"] = OWN_CASE


@schema.hook
def flatmap_body(context, body):
    """Generated cases often name an existing category (allowed to the partner with details or
    without, or not allowed) and a patient who can be registered, so that they get past the
    look-ups into ``case_open`` with the rest of the body as generated."""
    if context.operation.label != "POST /api/v1/cases/" or not isinstance(body, dict):
        return st.just(body)
    return st.tuples(st.sampled_from([*CATEGORY_SLUGS, None]), st.booleans()).map(
        lambda choice: {
            **body,
            **({"category": choice[0]} if choice[0] else {}),
            **({"patient": VALID_PATIENT} if choice[1] else {}),
        }
    )


# --- the records and the identities -------------------------------------------------------------


@dataclass
class Identity:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)


def build_identities() -> dict[str, Identity]:
    """Queue "pharmacy" (the agent works it) with the schema examples' categories, one with
    details; queue "billing" with a third category. The partner organisation has a BAA in force,
    may use the first two, and submitted a case (with details); another organisation submitted
    one in "pharmacy" too; staff opened one in "billing"."""
    groups = ensure_role_groups()
    pharmacy = QueueFactory(name="Pharmacy", slug="pharmacy", languages=["en", "es"])
    billing = QueueFactory(name="Billing", slug="billing")
    refills = CategoryFactory(
        name="Refill request", slug="refill-request", kind="refills", default_queue=pharmacy
    )
    hours = CategoryFactory(
        name="Hours and locations", slug="hours-and-locations", default_queue=pharmacy
    )
    statement = CategoryFactory(name="Statement", slug="statement", default_queue=billing)

    administrator = UserFactory(username="st-administrator")
    administrator.groups.add(groups[Role.ADMINISTRATOR])
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    baa = {
        "baa_effective_on": today - datetime.timedelta(days=30),
        "baa_expires_on": today + datetime.timedelta(days=335),
    }
    organisation = PartnerOrganisation.objects.create(
        name="Schemathesis EHR", slug="schemathesis-ehr", kind=PartnerOrganisation.Kind.EHR, **baa
    )
    organisation.allowed_categories.add(refills, hours)
    other_organisation = PartnerOrganisation.objects.create(
        name="Other EHR", slug="other-ehr", **baa
    )
    other_organisation.allowed_categories.add(hours)
    account = credentials.service_account_create(
        actor=administrator, organisation=organisation, username="svc-schemathesis"
    )
    other_account = credentials.service_account_create(
        actor=administrator, organisation=other_organisation, username="svc-other"
    )
    _, token = credentials.token_issue(actor=administrator, account=account, name="Schemathesis")

    agent = UserFactory(username="st-agent")
    agent.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", agent, pharmacy)

    partner_case = make_case(
        actor=account,
        patient=patient_fields(700_001),
        category=refills,
        channel=Channel.PARTNER_API,
        source_organisation=organisation,
        external_reference="EHR-42-0000",  # not the schema example's: that one opens a case
        details={"request_type": "refill", "medication": "Examplopril 10 mg"},
    )
    other_partner_case = make_case(
        actor=other_account,
        patient=patient_fields(700_002),
        category=hours,
        channel=Channel.PARTNER_API,
        source_organisation=other_organisation,
        external_reference="OTHER-0001",
    )
    billing_case = make_case(
        actor=administrator, patient=patient_fields(700_003), category=statement
    )

    browser = Client()
    browser.force_login(agent)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = _get_new_csrf_string()
    return {
        PARTNER: Identity(
            PARTNER,
            headers={"Authorization": f"Bearer {token}"},
            references={OWN_CASE: partner_case.reference, OTHER_CASE: other_partner_case.reference},
        ),
        AGENT: Identity(
            AGENT,
            headers={"X-CSRFToken": csrf},
            cookies={
                django_settings.SESSION_COOKIE_NAME: session,
                django_settings.CSRF_COOKIE_NAME: csrf,
            },
            references={OWN_CASE: partner_case.reference, OTHER_CASE: billing_case.reference},
        ),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        yield build_identities()


@pytest.fixture
def identities(world, db, settings):
    """The identities, with the request signals left as Django's test client leaves them: they do
    not close the test's connection, so requests run inside the test's transaction."""
    # Hundreds of requests per test from one account; the limit has tests of its own
    # (tests/api/test_throttling.py) and would make most of these 429s.
    settings.API_RATE_PER_MINUTE = 0
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield world
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call_and_validate(case, identity: Identity):
    """Send ``case`` as ``identity`` in a savepoint rolled back afterwards; run the checks."""
    if case.path_parameters and case.path_parameters.get("reference") in identity.references:
        case.path_parameters["reference"] = identity.references[case.path_parameters["reference"]]
    with transaction.atomic():
        response = case.call(headers=identity.headers, cookies=identity.cookies)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=identity.headers)
    return response


# --- the tests ----------------------------------------------------------------------------------


@schema.parametrize()
@pytest.mark.parametrize("who", IDENTITIES)
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the records are per module, requests roll back
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_conforms_to_its_schema(case, who, identities):
    call_and_validate(case, identities[who])


# Requests that fuzzing found answered with a 500, as fixed cases: each database checks them
# whatever the generator happens to draw on it.
FOUND = [
    pytest.param(
        PARTNER,
        "GET /api/v1/cases/",
        {"query": {"updated_before": "2026-10-06T16:44:35-16:00"}},
        id="date-filter-offset-beyond-15h59",  # PostgreSQL: time zone displacement out of range
    ),
    pytest.param(
        PARTNER,
        "GET /api/v1/cases/",
        {"query": {"created_after": "9999-12-31T23:00:00-05:00"}},
        id="date-filter-after-year-9999-in-utc",  # SQLite: OverflowError converting to UTC
    ),
    pytest.param(
        PARTNER,
        "GET /api/v1/cases/",
        {"query": {"created_before": "0001-01-01T00:00:00+05:00"}},
        id="date-filter-before-year-1-in-utc",  # SQLite: OverflowError converting to UTC
    ),
    pytest.param(
        AGENT,
        "POST /api/v1/cases/{reference}/transition/",
        {"path_parameters": {"reference": OWN_CASE}, "body": {"\udbc1": "x"}},
        id="lone-surrogate-in-a-field-name",  # both: the 400 that echoes it cannot be encoded
    ),
    pytest.param(
        AGENT,
        "POST /api/v1/cases/{reference}/transition/",
        {"path_parameters": {"reference": OWN_CASE}, "body": {"to_status": "\udbc1"}},
        id="lone-surrogate-in-a-choice",  # both: "… is not a valid choice." echoes it
    ),
    pytest.param(
        PARTNER,
        "POST /api/v1/cases/",
        {"headers": {"Idempotency-Key": "st-nul-name"}, "body": {"\x00": "x"}},
        id="nul-in-a-field-name-with-an-idempotency-key",  # PostgreSQL: jsonb refuses \u0000
    ),
    pytest.param(
        AGENT,
        "POST /api/v1/cases/{reference}/transition/",
        {
            "path_parameters": {"reference": OWN_CASE},
            "headers": {"Idempotency-Key": "st-nul-choice"},
            "body": {"to_status": "\x00"},
        },
        id="nul-in-a-choice-with-an-idempotency-key",  # PostgreSQL: jsonb refuses \u0000
    ),
]


@pytest.mark.parametrize(("who", "label", "request_parts"), FOUND)
def test_requests_found_by_fuzzing(who, label, request_parts, identities):
    method, path = label.split(" ")
    case = schema[path][method].Case(**request_parts)
    call_and_validate(case, identities[who])


def test_the_fuzzed_schema_is_the_served_one(identities):
    response = WerkzeugClient(application).get(
        "/api/v1/schema/?format=json", headers=identities[PARTNER].headers
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert json.loads(response.get_data()) == RAW_SCHEMA
