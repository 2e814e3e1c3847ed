"""Fixtures of the partner credential tests: an organisation with a BAA in force, its service
account, and a person allowed to manage credentials."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role, ensure_role_groups
from partners import credentials
from partners.models import PartnerOrganisation
from tests.factories import UserFactory


def local_today() -> datetime.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


@pytest.fixture
def role_groups(db):
    return ensure_role_groups()


@pytest.fixture
def administrator(role_groups):
    """A person with the Administrator role: partners.change_partnerorganisation."""
    user = UserFactory(username="partners-admin", is_staff=True)
    user.groups.add(role_groups[Role.ADMINISTRATOR])
    return user


@pytest.fixture
def organisation(db):
    today = local_today()
    return PartnerOrganisation.objects.create(
        name="Lakeside EHR (test)",
        slug="lakeside-ehr",
        kind=PartnerOrganisation.Kind.EHR,
        baa_effective_on=today - datetime.timedelta(days=30),
        baa_expires_on=today + datetime.timedelta(days=335),
    )


@pytest.fixture
def account(administrator, organisation):
    return credentials.service_account_create(
        actor=administrator, organisation=organisation, username="svc-lakeside"
    )


@pytest.fixture
def issued(administrator, account):
    """(token, plaintext) of a fresh token of the service account."""
    return credentials.token_issue(actor=administrator, account=account, name="EHR interface")


def rows_containing(text: str) -> list[tuple[str, str]]:
    """(table, column) of every stored value that contains ``text``, in every table."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None and text in str(value):
                        found.append((table, column))
    return found
