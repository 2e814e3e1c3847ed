"""Idempotency records: the request fingerprint, one record per (scope, key) enforced by the
database, and the purge of expired records (task and beat entry)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.http.request import RawPostDataException
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.parsers import BaseParser, FormParser, JSONParser
from rest_framework.request import Request

from api.idempotency import canonical_body, key_lifetime, request_fingerprint
from api.models import IdempotencyRecord
from api.tasks import purge_idempotency_keys
from tests.factories import PartnerFactory, UserFactory

# --- the fingerprint -----------------------------------------------------------------------------


def drf_request(path="/api/v1/cases/", body=b"{}", content_type="application/json", method="post"):
    django_request = getattr(RequestFactory(), method)(path, body, content_type=content_type)
    return Request(django_request, parsers=[JSONParser(), FormParser()])


def test_json_bodies_are_compared_parsed_with_sorted_keys():
    compact = drf_request(body=b'{"b": 1, "a": {"y": [1, 2], "x": "\\u00e9"}}')
    spaced = drf_request(body=b'{\n  "a": {"x": "\xc3\xa9", "y": [1, 2]},\n  "b": 1\n}')
    assert canonical_body(compact) == b'{"a":{"x":"\xc3\xa9","y":[1,2]},"b":1}'
    assert request_fingerprint(compact) == request_fingerprint(spaced)
    assert request_fingerprint(compact) != request_fingerprint(
        drf_request(body=b'{"b": 2, "a": {"y": [1, 2], "x": "e"}}')
    )
    assert request_fingerprint(compact) != request_fingerprint(
        drf_request(body=b'{"a": {"y": [2, 1], "x": "\\u00e9"}, "b": 1}')
    )


def test_the_method_and_path_are_part_of_the_fingerprint():
    base = request_fingerprint(drf_request())
    assert base != request_fingerprint(drf_request(path="/api/v1/cases/1/claim"))
    assert base != request_fingerprint(drf_request(path="/api/v1/cases/?x=1"))
    assert base != request_fingerprint(drf_request(method="put"))


def test_other_bodies_are_compared_byte_for_byte():
    form = drf_request(body=b"b=1&a=2", content_type="application/x-www-form-urlencoded")
    assert canonical_body(form) == b"b=1&a=2"
    swapped = drf_request(body=b"a=2&b=1", content_type="application/x-www-form-urlencoded")
    assert request_fingerprint(form) != request_fingerprint(swapped)
    broken_json = drf_request(body=b'{"a": ')
    assert canonical_body(broken_json) == b'{"a": '


class StreamJSONParser(BaseParser):
    """Parses from the stream itself (DRF's own JSON and form parsers read ``request.body``)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return json.load(stream)


class StreamFormParser(BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream, media_type=None, parser_context=None):
        return QueryDict(stream.read())


def consumed_request(body: bytes, content_type: str) -> Request:
    """A request whose stream a parser read before the idempotency layer saw it."""
    django_request = RequestFactory().post("/api/v1/cases/", body, content_type=content_type)
    request = Request(django_request, parsers=[StreamJSONParser(), StreamFormParser()])
    request.data  # noqa: B018 - parse now, as a CSRF check or a middleware would
    with pytest.raises(RawPostDataException):
        django_request.body  # noqa: B018
    return request


def test_a_consumed_stream_falls_back_to_the_parsed_data():
    body = b'{"b": 1, "a": [true, null]}'
    consumed = consumed_request(body, "application/json")
    assert request_fingerprint(consumed) == request_fingerprint(drf_request(body=body))


def test_a_consumed_form_stream_is_fingerprinted_from_its_fields():
    form = consumed_request(b"a=1&a=2&b=3", "application/x-www-form-urlencoded")
    assert canonical_body(form) == b'{"a":["1","2"],"b":["3"]}'


# --- one record per (scope, key) -----------------------------------------------------------------


def make_record(*, user, organisation=None, key="key-1", **overrides):
    now = timezone.now()
    fields = {
        "user": user,
        "organisation": organisation,
        "key": key,
        "method": "POST",
        "path": "/api/v1/cases/",
        "fingerprint": "0" * 64,
        "response_status": 201,
        "created_at": now,
        "expires_at": now + key_lifetime(),
    }
    fields.update(overrides)
    return IdempotencyRecord.objects.create(**fields)


@pytest.mark.django_db
def test_one_record_per_organisation_and_key():
    partner = PartnerFactory()
    one = UserFactory(username="svc-a", kind="service", organisation=partner)
    two = UserFactory(username="svc-b", kind="service", organisation=partner)
    make_record(user=one, organisation=partner)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_record(user=two, organisation=partner)
    make_record(user=two, organisation=PartnerFactory())  # another organisation: its own key
    make_record(user=one, organisation=partner, key="key-2")
    assert IdempotencyRecord.objects.count() == 3


@pytest.mark.django_db
def test_one_record_per_user_and_key_outside_organisations():
    staff, other = UserFactory(username="staff-a"), UserFactory(username="staff-b")
    make_record(user=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_record(user=staff)  # NULL organisation: still unique, on SQLite and PostgreSQL
    make_record(user=other)
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db
def test_a_record_must_expire_after_it_was_made():
    staff = UserFactory(username="staff-c")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_record(user=staff, created_at=now, expires_at=now)


# --- the purge -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_deletes_expired_records_in_batches():
    staff = UserFactory(username="staff-purge")
    now = timezone.now()
    for n in range(5):
        make_record(
            user=staff,
            key=f"old-{n}",
            created_at=now - datetime.timedelta(hours=30),
            expires_at=now - datetime.timedelta(hours=6, minutes=n),
        )
    keep = [make_record(user=staff, key=f"live-{n}") for n in range(3)]

    assert purge_idempotency_keys(batch_size=2) == 5
    assert sorted(IdempotencyRecord.objects.values_list("pk", flat=True)) == [r.pk for r in keep]
    assert purge_idempotency_keys() == 0


@pytest.mark.django_db
def test_the_purge_runs_as_a_celery_task():
    staff = UserFactory(username="staff-task")
    now = timezone.now()
    make_record(user=staff, created_at=now - datetime.timedelta(days=2), expires_at=now)
    result = purge_idempotency_keys.apply(kwargs={"batch_size": 10})
    assert result.get() == 1
    assert IdempotencyRecord.objects.count() == 0


def test_the_purge_is_scheduled_by_beat():
    from patientcare.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]
    assert entry["task"] == "api.purge_idempotency_keys"
    assert purge_idempotency_keys.name in app.tasks
