"""A superuser without a role reaches no patient data through the API either (issue 17): the
case list is empty, a case is a 404, and so is its timeline."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_bare_superuser_sees_no_case(world):
    root = UserFactory(username="api-bare-root", is_superuser=True, is_staff=True)
    client = APIClient()
    client.force_authenticate(root)
    listing = client.get("/api/v1/cases/")
    assert listing.status_code == 200 and listing.json()["results"] == []
    reference = world.case.reference
    assert client.get(f"/api/v1/cases/{reference}/").status_code == 404
    assert client.get(f"/api/v1/cases/{reference}/messages/").status_code == 404
