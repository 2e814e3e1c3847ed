"""Idempotency-Key on POSTs (api/idempotency.py), through small DRF views that open real cases
(tests/api/idempotency_urls.py): replay, body mismatch, scoping, refusals stored or not, 5xx
rolled back, expiry, and concurrent twins on PostgreSQL."""

from __future__ import annotations

import datetime
import json
import threading
import uuid

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from api.idempotency import REPLAYED_HEADER
from api.models import IdempotencyRecord
from cases.models import Case
from tests.api import idempotency_urls
from tests.factories import CategoryFactory, PartnerFactory, UserFactory, patient_fields

pytestmark = pytest.mark.urls("tests.api.idempotency_urls")

CASES_URL = "/test/cases/"
OTHER_URL = "/test/other/"


@pytest.fixture(autouse=True)
def _reset_test_views():
    idempotency_urls.CALLS.clear()
    idempotency_urls.CRASHED.clear()


@pytest.fixture
def category(db):
    return CategoryFactory(slug="idem-category")


@pytest.fixture
def partner(db):
    return PartnerFactory()


@pytest.fixture
def service_user(partner):
    return UserFactory(username="svc-idem", kind="service", organisation=partner, is_staff=False)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff-idem")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def service_client(service_user):
    return client_for(service_user)


def case_body(n: int = 1, **overrides) -> dict:
    patient = patient_fields(n)
    patient["date_of_birth"] = patient["date_of_birth"].isoformat()
    body = {
        "category": "idem-category",
        "patient": patient,
        "subject": f"Statement question {n}",
        "description": "Asks about a charge.",
    }
    body.update(overrides)
    return body


def post(client, body, key=None, url=CASES_URL, method="post"):
    extra = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return getattr(client, method)(url, body, format="json", **extra)


def error_code(response) -> str:
    return response.json()["error"]["code"]


# --- replay and mismatch -------------------------------------------------------------------------


def test_the_first_response_is_stored_and_replayed(service_client, service_user, category):
    key = str(uuid.uuid4())
    first = post(service_client, case_body(), key)
    assert first.status_code == 201, first.content
    assert REPLAYED_HEADER not in first

    second = post(service_client, case_body(), key)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"] == f"/api/v1/cases/{first.json()['id']}/"
    assert second[REPLAYED_HEADER] == "true"
    assert idempotency_urls.CALLS["cases"] == 1
    assert Case.objects.count() == 1

    record = IdempotencyRecord.objects.get()
    assert record.key == key
    assert record.organisation_id == service_user.organisation_id
    assert record.user_id == service_user.pk
    assert (record.method, record.path) == ("POST", CASES_URL)
    assert len(record.fingerprint) == 64
    assert record.response_status == 201
    assert record.response_body == first.json()
    assert record.response_headers == {"Location": first["Location"]}
    assert record.resulting_object == Case.objects.get()


def test_key_order_and_whitespace_of_the_json_body_do_not_matter(service_client, category):
    key = "order-key"
    assert post(service_client, case_body(), key).status_code == 201
    reordered = dict(reversed(list(case_body().items())))
    replay = service_client.post(
        CASES_URL,
        data=json.dumps(reordered, indent=4),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert replay.status_code == 201
    assert replay[REPLAYED_HEADER] == "true"
    assert Case.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused(service_client, category):
    key = str(uuid.uuid4())
    assert post(service_client, case_body(1), key).status_code == 201
    response = post(service_client, case_body(1, subject="Something else"), key)
    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert "different request body" in response.json()["error"]["message"]
    assert Case.objects.count() == 1
    assert idempotency_urls.CALLS["cases"] == 1


@pytest.mark.parametrize(("url", "method"), [(OTHER_URL, "post"), (OTHER_URL, "put")])
def test_the_same_key_on_another_path_or_method_is_refused(service_client, category, url, method):
    key = str(uuid.uuid4())
    assert post(service_client, case_body(), key).status_code == 201
    response = post(service_client, case_body(), key, url=url, method=method)
    assert response.status_code == 422
    assert error_code(response) == "idempotency_key_reused"
    assert idempotency_urls.CALLS["other"] == idempotency_urls.CALLS["other-put"] == 0


def test_without_the_header_nothing_is_recorded(service_client, category):
    assert post(service_client, case_body()).status_code == 201
    assert post(service_client, case_body()).status_code == 201
    assert IdempotencyRecord.objects.count() == 0
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    "key",
    ["", "k" * 256, "clé-unicode", "tab\there", "new\nline", "nul\x00byte", "del\x7f"],
    ids=["empty", "too-long", "non-ascii", "tab", "newline", "nul", "del"],
)
def test_an_invalid_key_is_refused_before_anything_runs(service_client, category, key):
    response = post(service_client, case_body(), key)
    assert response.status_code == 400
    assert error_code(response) == "invalid_idempotency_key"
    assert idempotency_urls.CALLS["cases"] == 0
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["k" * 255, "a", "with space and ~!@#$%^&*()"])
def test_valid_keys_are_accepted(service_client, category, key):
    assert post(service_client, case_body(), key).status_code == 201
    assert IdempotencyRecord.objects.get().key == key


# --- scope ---------------------------------------------------------------------------------------


def test_keys_are_scoped_per_organisation(category):
    one = UserFactory(username="svc-one", kind="service", organisation=PartnerFactory())
    two = UserFactory(username="svc-two", kind="service", organisation=PartnerFactory())
    first = post(client_for(one), case_body(1), "shared-key")
    second = post(client_for(two), case_body(1), "shared-key")
    assert first.status_code == second.status_code == 201
    assert REPLAYED_HEADER not in second
    assert first.json()["id"] != second.json()["id"]
    assert Case.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


def test_service_accounts_of_one_organisation_share_its_keys(partner, service_user, category):
    colleague = UserFactory(username="svc-colleague", kind="service", organisation=partner)
    first = post(client_for(service_user), case_body(), "org-key")
    second = post(client_for(colleague), case_body(), "org-key")
    assert second.status_code == 201
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()
    assert Case.objects.count() == 1


def test_staff_keys_are_scoped_per_user(staff_user, service_user, category):
    other_staff = UserFactory(username="staff-other")
    responses = [
        post(client_for(user), case_body(1), "same-key")
        for user in (staff_user, other_staff, service_user)
    ]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert all(REPLAYED_HEADER not in r for r in responses)
    assert Case.objects.count() == 3
    replay = post(client_for(staff_user), case_body(1), "same-key")
    assert replay[REPLAYED_HEADER] == "true"
    assert replay.json() == responses[0].json()
    staff_record = IdempotencyRecord.objects.get(user=staff_user)
    assert staff_record.organisation_id is None


# --- which results are stored --------------------------------------------------------------------


def test_a_stored_refusal_is_replayed_even_when_the_request_would_now_succeed(
    service_client, category
):
    category.active = False
    category.save(update_fields=["active"])
    first = post(service_client, case_body(), "refused-key")
    assert first.status_code == 400
    assert "category" in first.json()["error"]["fields"]

    category.active = True
    category.save(update_fields=["active"])
    second = post(service_client, case_body(), "refused-key")
    assert second.status_code == 400
    assert second.json() == first.json()
    assert second[REPLAYED_HEADER] == "true"
    assert idempotency_urls.CALLS["cases"] == 1
    assert Case.objects.count() == 0
    assert IdempotencyRecord.objects.get().response_status == 400


@pytest.mark.parametrize("refusal", ["400", "404"])
def test_a_refusal_raised_after_writing_is_stored_and_leaves_no_case(
    service_client, category, refusal
):
    first = post(service_client, case_body(refuse=refusal), "refusal-key")
    assert first.status_code == int(refusal)
    assert Case.objects.count() == 0  # the handler's savepoint undid the case
    record = IdempotencyRecord.objects.get()
    assert record.response_status == int(refusal)
    assert record.object_id == ""
    second = post(service_client, case_body(refuse=refusal), "refusal-key")
    assert second.status_code == int(refusal)
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()
    assert idempotency_urls.CALLS["cases"] == 1


@pytest.mark.parametrize(
    ("refusal", "expected"),
    # NotAuthenticated without a WWW-Authenticate scheme becomes a 403 (DRF), still not stored.
    [("401", {401, 403}), ("403", {403}), ("409", {409}), ("429", {429})],
)
def test_401_403_409_429_are_not_stored(service_client, category, refusal, expected):
    for attempt in (1, 2):
        response = post(service_client, case_body(refuse=refusal), "unstored-key")
        assert response.status_code in expected
        assert REPLAYED_HEADER not in response
        assert idempotency_urls.CALLS["cases"] == attempt  # the retry ran again
        assert IdempotencyRecord.objects.count() == 0
    assert Case.objects.count() == 0


def test_an_unhandled_error_rolls_back_the_case_and_the_key(service_client, category):
    service_client.raise_request_exception = False
    body = case_body(crash_once="crash-1")
    first = post(service_client, body, "crash-key")
    assert first.status_code == 500
    assert Case.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0

    retry = post(service_client, body, "crash-key")
    assert retry.status_code == 201
    assert REPLAYED_HEADER not in retry
    assert idempotency_urls.CALLS["cases"] == 2
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.get().response_status == 201


def test_a_returned_5xx_is_not_stored_and_its_writes_are_rolled_back(service_client, category):
    response = post(service_client, case_body(respond=503), "unavailable-key")
    assert response.status_code == 503
    assert Case.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
    retry = post(service_client, case_body(respond=503), "unavailable-key")
    assert retry.status_code == 503
    assert idempotency_urls.CALLS["cases"] == 2


# --- expiry --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "hours"), [(None, 24), (1, 24), (0, 24), (72, 72)])
def test_keys_are_kept_at_least_24_hours(service_client, category, settings, setting, hours):
    if setting is None:
        if hasattr(settings, "IDEMPOTENCY_KEY_HOURS"):
            del settings.IDEMPOTENCY_KEY_HOURS
    else:
        settings.IDEMPOTENCY_KEY_HOURS = setting
    before = timezone.now()
    post(service_client, case_body(), "expiry-key")
    record = IdempotencyRecord.objects.get()
    assert record.created_at >= before
    assert record.expires_at - record.created_at == datetime.timedelta(hours=hours)


def expire(records) -> None:
    now = timezone.now()
    records.update(
        created_at=now - datetime.timedelta(hours=25),
        expires_at=now - datetime.timedelta(seconds=1),
    )


def test_a_record_is_replayed_until_it_expires_then_the_key_runs_again(service_client, category):
    first = post(service_client, case_body(), "expiring-key")
    record = IdempotencyRecord.objects.get()
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=30)
    )
    assert post(service_client, case_body(), "expiring-key")[REPLAYED_HEADER] == "true"

    expire(IdempotencyRecord.objects.filter(pk=record.pk))
    again = post(service_client, case_body(), "expiring-key")
    assert again.status_code == 201
    assert REPLAYED_HEADER not in again
    assert again.json()["id"] != first.json()["id"]
    assert Case.objects.count() == 2
    renewed = IdempotencyRecord.objects.get()
    assert renewed.pk != record.pk
    assert renewed.expires_at > timezone.now() + datetime.timedelta(hours=23)


def test_after_expiry_the_key_may_carry_a_different_body(service_client, category):
    post(service_client, case_body(1), "expired-key")
    expire(IdempotencyRecord.objects.all())
    response = post(service_client, case_body(2), "expired-key")
    assert response.status_code == 201
    assert Case.objects.count() == 2


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_make_exactly_one_case_and_get_the_same_response():
    """Ten identical POSTs at once, each thread its own connection: the first INSERT wins, the
    nine twins wait on the unique index until it commits, then replay its response."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    CategoryFactory(slug="idem-category")
    user = UserFactory(username="svc-race", kind="service", organisation=PartnerFactory())
    body = case_body(7, sleep=0.3)  # hold the first transaction open while the twins arrive
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    responses: list = []
    errors: list[BaseException] = []

    def work():
        try:
            client = client_for(user)
            barrier.wait()
            responses.append(post(client, body, "race-key"))
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(responses) == threads_count
    assert {r.status_code for r in responses} == {201}
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)
    assert len({r["Location"] for r in responses}) == 1
    assert sum(REPLAYED_HEADER in r for r in responses) == threads_count - 1
    assert Case.objects.count() == 1
    assert idempotency_urls.CALLS["cases"] == 1
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_unique_index_still_makes_exactly_one_case(monkeypatch):
    """A database without the advisory lock (SQLite): twins may all run the handler, but only
    the first INSERT of the key commits; every other transaction is rolled back, its case with
    it, and replays the winner's response."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises writers)")
    monkeypatch.setattr("api.idempotency._lock_key", lambda key, lookup: None)
    CategoryFactory(slug="idem-category")
    user = UserFactory(username="svc-race-nolock", kind="service", organisation=PartnerFactory())
    body = case_body(8, sleep=0.3)
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    responses: list = []
    errors: list[BaseException] = []

    def work():
        try:
            client = client_for(user)
            barrier.wait()
            responses.append(post(client, body, "race-key-nolock"))
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert {r.status_code for r in responses} == {201}
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert sum(REPLAYED_HEADER in r for r in responses) == threads_count - 1
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
