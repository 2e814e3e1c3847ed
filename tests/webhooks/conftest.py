"""Webhook test fixtures: a partner organisation with a BAA in force, endpoints pointing at a
real HTTP server on 127.0.0.1 (pytest-httpserver), and cases submitted by the partner.

Outbound network stays blocked (pytest-socket allows loopback only); the endpoints use plain
http to loopback, which ``WEBHOOKS_ALLOW_HTTP`` permits for tests."""

from __future__ import annotations

import datetime

import pytest

from partners.models import PartnerOrganisation
from tests.factories import PartnerFactory, UserFactory, make_case, make_patient
from webhooks.models import EventType, OutboxMessage, WebhookEndpoint

HOOK_PATH = "/hooks/patientcare"
ALL_EVENTS = [EventType.STATUS_CHANGED.value, EventType.REPLY.value]


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver on 127.0.0.1 (a free port), the only host tests may reach."""
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def _http_to_loopback(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True


def baa_in_force() -> dict:
    """A BAA covering today, where the partners app records BAAs (issue 6)."""
    fields = {field.name for field in PartnerOrganisation._meta.get_fields()}
    if "baa_effective_on" not in fields:
        return {}
    today = datetime.date.today()
    return {
        "baa_effective_on": today - datetime.timedelta(days=400),
        "baa_expires_on": today + datetime.timedelta(days=400),
    }


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Fictional EHR", slug="fictional-ehr", **baa_in_force())


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="Other Portal", slug="other-portal", **baa_in_force())


@pytest.fixture
def hook_url(httpserver):
    return httpserver.url_for(HOOK_PATH)


@pytest.fixture
def make_endpoint(partner, hook_url):
    def make(*, organisation=None, url=None, event_types=None, active=True, **fields):
        endpoint = WebhookEndpoint(
            organisation=organisation or partner,
            url=url or hook_url,
            event_types=list(ALL_EVENTS if event_types is None else event_types),
            active=active,
            **fields,
        )
        endpoint.full_clean()
        endpoint.save()
        return endpoint

    return make


@pytest.fixture
def endpoint(make_endpoint):
    return make_endpoint(description="Main")


@pytest.fixture
def patient(actor):
    return make_patient(actor, given_name="Zebulon", family_name="Quixotic")


@pytest.fixture
def partner_case(actor, category, partner, patient):
    return make_case(
        actor=actor,
        category=category,
        patient=patient,
        source_organisation=partner,
        external_reference="EHR-4471",
        subject="Secret subject about Zebulon",
        description="Secret description, Quixotic",
    )


@pytest.fixture
def service_account(partner):
    return UserFactory(username="svc-fictional-ehr", kind="service", organisation=partner)


def messages_of(case=None):
    queryset = OutboxMessage.objects.order_by("id")
    return list(queryset.filter(case=case) if case is not None else queryset)
