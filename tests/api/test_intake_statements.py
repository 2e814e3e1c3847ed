"""The statements of one API create (issue 18, "a lean intake"), pinned: a partner system with
its Bearer token and an ``Idempotency-Key``, and an agent's session without one.

Transactional tests: no test transaction around the request, so the counts are production's
(the outermost ``atomic()`` is BEGIN/COMMIT, not a SAVEPOINT) and after-commit work runs.
bench/api_create_cpu.py prints the same list with production settings, and the CPU per create.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import IdempotencyRecord
from partners import credentials
from tests.api.conftest import ADMINISTRATOR, AGENT, PARTNER_A, build_world, case_body

pytestmark = pytest.mark.django_db(transaction=True)

CASES_URL = "/api/v1/cases/"


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


@pytest.fixture
def world(transactional_db):
    world = build_world()
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    world.org_a.baa_effective_on = today - datetime.timedelta(days=30)
    world.org_a.baa_expires_on = today + datetime.timedelta(days=300)
    world.org_a.save()
    return world


@pytest.fixture
def partner(world) -> APIClient:
    _, plaintext = credentials.token_issue(
        actor=world.users[ADMINISTRATOR], account=world.users[PARTNER_A], name="statements"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    # The token's last use stamped (once a minute) and the content types cached.
    assert post(client, case_body(n=700), key="warm-up").status_code == 201
    return client


def post(client, body, key=None):
    extra = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(CASES_URL, body, format="json", **extra)


def test_a_partner_create_with_an_idempotency_key(partner):
    with CaptureQueriesContext(connection) as queries:
        response = post(partner, case_body(n=701), key="intake-701")
    assert response.status_code == 201, response.content
    sql = statements(queries)
    # 1 the token with its account and organisation (partners.authentication; no session)
    # 2-3 the account's permissions: its own, its groups' (ModelBackend: has_perm add_case)
    # 4 BEGIN (the key's transaction); 5 the key's advisory lock; 6 the key's record (none yet)
    # 7 the category, with its default queue (the serializer; routing reads no queue)
    # 8 SAVEPOINT: case_open's, the one the view's caught IntegrityError (a race on an external
    #   reference) needs
    # 9 patient matching by MRN (no savepoint of its own: nothing inside case_open catches)
    # 10-14 SAVEPOINT, INSERT patient, its history row, its audit entry, RELEASE: for the MRN
    #   race's caught IntegrityError (cases.services.matching)
    # 15 routing rules (with their target queues); 16 the queue's languages; 17 the SLA policy
    # 18 the case number (sequence)
    # 19-21 INSERT case, its history row, its audit entry
    # 22-23 INSERT the "opened" event, its audit entry
    # 24 the red-flag pathways and phrases (escalations' intake hook)
    # 25 RELEASE case_open's savepoint
    # 26 the case re-read through restrict() for the answer (the partner may see it)
    # 27 INSERT the key's record with the response: written once, never updated; 28 COMMIT
    # Before issue 18: 34 (the key's record INSERTed first in a savepoint and UPDATEd after,
    # the handler's savepoint, patient matching's savepoint, the default queue's own read).
    assert len(sql) == 28, "\n".join(sql)
    savepoints = [s for s in sql if "SAVEPOINT" in s]
    assert savepoints == [sql[7], sql[9], sql[13], sql[24]]
    assert sql[4].startswith("SELECT pg_advisory_xact_lock")
    assert sql[-2].startswith('INSERT INTO "api_idempotencyrecord"')
    assert not [s for s in sql if s.startswith('UPDATE "api_idempotencyrecord"')]
    assert not [s for s in sql if '"django_session"' in s]
    assert "sessionid" not in response.cookies
    assert IdempotencyRecord.objects.get(key="intake-701").response_status == 201


def test_a_partner_replay_reads_and_writes_nothing_else(partner):
    first = post(partner, case_body(n=702), key="intake-702")
    with CaptureQueriesContext(connection) as queries:
        again = post(partner, case_body(n=702), key="intake-702")
    assert again.json() == first.json()
    # the token, the permissions (2), BEGIN, the key's lock, the key's record, COMMIT (before
    # issue 18: 10, an INSERT attempt in a savepoint rolled back before the read)
    assert len(statements(queries)) == 7


def test_a_staff_create_in_a_session(world):
    staff = APIClient()
    staff.force_login(world.users[AGENT])
    assert post(staff, case_body(n=703, channel="voice")).status_code == 201  # stamps the session
    with CaptureQueriesContext(connection) as queries:
        response = post(staff, case_body(n=704, channel="voice"))
    assert response.status_code == 201, response.content
    sql = statements(queries)
    # 1 the session; 2 its user; 3 the second factor's devices (mfa.policy)
    # 4-5 the permissions: the user's own, the groups' (has_perm add_case)
    # 6 the category with its default queue
    # 7 BEGIN (case_open's transaction); 8 the access scope (the agent's queue and case grants,
    #   read once per request: issue 18's flat filters); 9 patient matching by MRN
    # 10-14 SAVEPOINT, INSERT patient, history, audit, RELEASE (the MRN race's)
    # 15 routing rules; 16 the queue's languages; 17 the SLA policy; 18 the case number
    # 19-23 INSERT case, history, audit; INSERT event, audit
    # 24 red-flag pathways; 25 COMMIT; 26 the case re-read through restrict() (flat: the scope
    #   is reused); 27 the viewer's roles (minimum necessary: the answer's fields)
    # No session write: its idle-timeout stamp is under a minute old (accounts/idle.py). Before
    # issue 18: 32 (the session's BEGIN, UPDATE, COMMIT; patient matching's savepoint; the
    # default queue's own read).
    assert len(sql) == 27, "\n".join(sql)
    assert len([s for s in sql if "SAVEPOINT" in s]) == 2
    assert [s for s in sql if '"django_session"' in s] == [sql[0]]
