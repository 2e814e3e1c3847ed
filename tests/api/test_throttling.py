"""Rate limiting: per partner organisation (its service accounts share one budget), per user for
staff; over the limit a 429 ``throttled`` in the error format with ``Retry-After``."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import User
from accounts.roles import Role
from api.throttling import cache_key
from tests.api.conftest import (
    AGENT,
    ORIGINAL_CACHES,
    PARTNER_A,
    PARTNER_B,
    SUPERVISOR,
    error_of,
    service_account,
)

pytestmark = pytest.mark.django_db

# 20 seconds into a clock minute: the window ends in 40 seconds.
NOW = datetime.datetime(2026, 3, 2, 9, 15, 20, tzinfo=datetime.UTC)


def get(world, role_or_user, url="/api/v1/categories/"):
    if isinstance(role_or_user, str):
        client = world.client(role_or_user)
    else:
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(role_or_user)
    return client.get(url)


@time_machine.travel(NOW, tick=False)
def test_an_organisation_shares_one_budget(world, settings):
    settings.API_RATE_PER_MINUTE = 3
    from django.contrib.auth.models import Group

    second_account = service_account(
        "api-partner-a-2", world.org_a, Group.objects.get(name=Role.PARTNER_SYSTEM)
    )
    statuses = [get(world, PARTNER_A).status_code for _ in range(2)]
    statuses.append(get(world, second_account).status_code)
    assert statuses == [200, 200, 200]

    refused = get(world, second_account, f"/api/v1/cases/{world.case.reference}/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    error = error_of(refused)
    assert error["code"] == "throttled"
    assert get(world, PARTNER_A).status_code == 429

    assert get(world, PARTNER_B).status_code == 200  # another organisation: its own budget
    assert get(world, AGENT).status_code == 200  # staff: per user

    with time_machine.travel(NOW + datetime.timedelta(seconds=41), tick=False):
        assert get(world, PARTNER_A).status_code == 200  # a new minute


@time_machine.travel(NOW, tick=False)
def test_staff_are_limited_per_user(world, settings):
    settings.API_RATE_PER_MINUTE = 2
    assert [get(world, AGENT).status_code for _ in range(3)] == [200, 200, 429]
    assert get(world, SUPERVISOR).status_code == 200


def test_zero_turns_the_limit_off(world, settings):
    settings.API_RATE_PER_MINUTE = 0
    assert {get(world, AGENT).status_code for _ in range(5)} == {200}


def test_anonymous_requests_are_refused_before_they_are_counted(world, settings):
    settings.API_RATE_PER_MINUTE = 1
    from rest_framework.test import APIClient

    assert [APIClient().get("/api/v1/cases/").status_code for _ in range(3)] == [401] * 3


@time_machine.travel(NOW, tick=False)
def test_the_configured_cache_counts(world, settings):
    """With the deployment's cache (Redis when REDIS_URL is set, as in CI)."""
    settings.CACHES = ORIGINAL_CACHES
    settings.API_RATE_PER_MINUTE = 2
    window = int(NOW.timestamp() // 60)
    for user in (world.users[PARTNER_A],):
        cache.delete(cache_key(f"org:{user.organisation_id}", window))
    try:
        assert [get(world, PARTNER_A).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        cache.delete(cache_key(f"org:{world.org_a.pk}", window))
    assert isinstance(world.users[PARTNER_A], User)
