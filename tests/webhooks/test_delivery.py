"""Delivery against a real HTTP server on 127.0.0.1: signed requests, the delivery log, retries
with exponential backoff on a frozen clock, giving up, refusals and the endpoint rules."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from werkzeug import Response

from cases import services
from cases.choices import Status, Visibility
from tests.webhooks.conftest import HOOK_PATH, messages_of
from webhooks import delivery, outbox, signing
from webhooks import services as webhook_services
from webhooks.models import OutboxMessage, WebhookDelivery, validate_endpoint_url
from webhooks.tasks import deliver

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def message(actor, partner_case, endpoint, time_machine):
    """A pending status-change message written at T0 (its after-commit hand-over does not run in
    these tests: each attempt is driven by hand on a frozen clock)."""
    time_machine.move_to(T0, tick=False)
    services.case_transition(actor=actor, case=partner_case, to_status=Status.IN_PROGRESS)
    (found,) = messages_of()
    return found


def test_a_delivery_is_signed_and_logged(message, endpoint, httpserver):
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data(
        '{"received": true}', status=202, content_type="application/json"
    )
    assert deliver(message.pk) == "delivered"  # the Celery task, called directly

    (request, _response) = httpserver.log[0]
    body = request.get_data()
    assert json.loads(body) == message.payload
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "PatientCare-Webhooks/1"
    assert headers["X-PatientCare-Event"] == "case.status_changed"
    assert headers["X-PatientCare-Event-Id"] == str(message.event_id)
    signature = headers["X-PatientCare-Signature"]
    timestamp = int(T0.timestamp())
    assert signature.startswith(f"t={timestamp},v1=")
    assert signature.count("v1=") == 1
    assert signing.verify(endpoint.secret, signature, body, now=timestamp)
    assert not signing.verify(endpoint.secret, signature, body + b"x", now=timestamp)
    assert not signing.verify(endpoint.secret, signature, body, now=timestamp + 301)

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.delivered_at == T0
    assert message.attempts == 1
    assert message.last_error == ""
    (log,) = message.deliveries.all()
    assert log.attempt == 1
    assert log.url == endpoint.url
    assert log.started_at == T0
    assert log.response_status == 202
    assert log.response_body == '{"received": true}'
    assert log.error == ""
    assert log.signature_timestamp == timestamp
    assert log.duration_ms >= 0
    assert log.succeeded


def test_a_delivered_message_is_not_sent_again(message, httpserver):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    assert delivery.deliver_message(message.pk) == "delivered"
    assert delivery.deliver_message(message.pk) == "already delivered"
    assert len(httpserver.log) == 1


def test_a_500_is_retried_with_backoff_then_delivered(message, httpserver, time_machine):
    httpserver.expect_oneshot_request(HOOK_PATH).respond_with_data("upstream down", status=500)
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")

    assert delivery.deliver_message(message.pk) == "retry"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert message.attempts == 1
    assert message.last_error == "HTTP 500"
    wait = message.next_attempt_at - T0
    assert timedelta(seconds=48) <= wait <= timedelta(seconds=72)  # 60 s ± 20 % jitter
    (failed,) = message.deliveries.all()
    assert (failed.response_status, failed.response_body, failed.error) == (
        500,
        "upstream down",
        "HTTP 500",
    )

    # not due yet: nothing is sent
    time_machine.move_to(T0 + timedelta(seconds=30), tick=False)
    assert delivery.deliver_message(message.pk) == "not due"
    assert len(httpserver.log) == 1

    time_machine.move_to(message.next_attempt_at, tick=False)
    assert delivery.deliver_message(message.pk) == "delivered"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.attempts == 2
    assert message.last_error == ""
    assert [d.attempt for d in message.deliveries.all()] == [1, 2]
    assert [d.response_status for d in message.deliveries.all()] == [500, 200]
    # each attempt is signed afresh, with its own timestamp
    first, second = (request.headers["X-PatientCare-Signature"] for request, _ in httpserver.log)
    assert first != second


def test_it_gives_up_after_the_last_attempt(message, httpserver, time_machine):
    httpserver.expect_request(HOOK_PATH).respond_with_data("nope", status=503)
    waits = []
    outcome = ""
    for _ in range(delivery.MAX_ATTEMPTS):
        outcome = delivery.deliver_message(message.pk)
        message.refresh_from_db()
        if outcome == "retry":
            waits.append(message.next_attempt_at - delivery.timezone.now())
            time_machine.move_to(message.next_attempt_at, tick=False)
    assert outcome == "failed"
    assert message.state == OutboxMessage.State.FAILED
    assert message.attempts == delivery.MAX_ATTEMPTS == 12
    assert message.last_error == "HTTP 503"
    assert message.deliveries.count() == 12
    assert len(httpserver.log) == 12
    # exponential, capped at 6 hours, about a day in all
    for attempt, wait in enumerate(waits, start=1):
        nominal = min(60 * 2 ** (attempt - 1), 6 * 3600)
        assert 0.8 * nominal <= wait.total_seconds() <= 1.2 * nominal
    total = sum(waits, timedelta())
    assert timedelta(hours=16) <= total <= timedelta(hours=25)

    # a failed message stays failed: neither the task nor the sweeper sends it again
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    assert delivery.deliver_message(message.pk) == "already failed"
    assert outbox.sweep_due() == 0
    assert len(httpserver.log) == 12


def test_the_sweeper_drives_the_retries(message, httpserver, time_machine):
    httpserver.expect_oneshot_request(HOOK_PATH).respond_with_data("", status=500)
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    assert delivery.deliver_message(message.pk) == "retry"
    assert outbox.sweep_due() == 0  # not due yet
    message.refresh_from_db()
    time_machine.move_to(message.next_attempt_at + timedelta(seconds=1), tick=False)
    assert outbox.sweep_due() == 1  # eager Celery: delivered inline
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED


def test_network_errors_are_failed_attempts(message, endpoint):
    endpoint.url = "http://127.0.0.1:9/closed"  # discard port: nothing listens
    endpoint.save(update_fields=["url"])
    assert delivery.deliver_message(message.pk) == "retry"
    (log,) = WebhookDelivery.objects.all()
    assert log.response_status is None
    assert log.response_body == ""
    assert "ConnectionRefusedError" in log.error
    message.refresh_from_db()
    assert message.last_error == log.error


def test_a_slow_endpoint_times_out(message, httpserver, monkeypatch):
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.2)
    released = threading.Event()

    def slow(request):
        released.wait(5)
        return Response("late")

    httpserver.expect_request(HOOK_PATH).respond_with_handler(slow)
    assert delivery.deliver_message(message.pk) == "retry"
    (log,) = WebhookDelivery.objects.all()
    assert log.response_status is None
    assert "timed out" in log.error
    # let the server finish that request before the next test clears its log
    released.set()
    deadline = time.monotonic() + 5
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.01)


def test_redirects_are_not_followed(message, httpserver):
    httpserver.expect_request(HOOK_PATH).respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/elsewhere")}
    )
    assert delivery.deliver_message(message.pk) == "retry"
    assert [request.path for request, _ in httpserver.log] == [HOOK_PATH]
    assert WebhookDelivery.objects.get().response_status == 302


def test_the_logged_response_body_is_at_most_2_kb(message, httpserver):
    httpserver.expect_request(HOOK_PATH).respond_with_data("é" * 5000, status=400)
    delivery.deliver_message(message.pk)
    log = WebhookDelivery.objects.get()
    assert log.response_status == 400
    assert 0 < len(log.response_body) <= 2048
    assert len(log.response_body.encode("utf-8")) <= 2048


def test_during_rotation_both_secrets_sign(message, endpoint, actor, httpserver, time_machine):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    old = endpoint.secret
    new = webhook_services.endpoint_rotate_secret(actor=actor, endpoint=endpoint)
    assert new != old
    delivery.deliver_message(message.pk)
    (request, _) = httpserver.log[0]
    header, body = request.headers["X-PatientCare-Signature"], request.get_data()
    assert header.count("v1=") == 2
    assert signing.verify(new, header, body, now=T0.timestamp())
    assert signing.verify(old, header, body, now=T0.timestamp())

    # after the overlap, only the new secret signs
    time_machine.move_to(T0 + timedelta(hours=25), tick=False)
    services.case_add_note(
        actor=actor, case=message.case, body="Later reply", visibility=Visibility.PATIENT
    )
    later = OutboxMessage.objects.exclude(pk=message.pk).get()
    delivery.deliver_message(later.pk)
    (request, _) = httpserver.log[1]
    header, body = request.headers["X-PatientCare-Signature"], request.get_data()
    assert header.count("v1=") == 1
    assert signing.verify(new, header, body)
    assert not signing.verify(old, header, body)


def test_nothing_goes_to_a_deactivated_endpoint(message, endpoint, httpserver):
    endpoint.active = False
    endpoint.save(update_fields=["active"])
    assert delivery.deliver_message(message.pk) == "refused"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert message.last_error.startswith("Not sent: endpoint inactive")
    assert message.attempts == 0
    assert httpserver.log == []
    assert not WebhookDelivery.objects.exists()


def test_nothing_goes_to_a_partner_without_a_baa_in_force(message, partner, httpserver):
    if not hasattr(partner, "refusal_reason"):
        pytest.skip("the partners app records no BAA yet")
    partner.baa_expires_on = T0.date() - timedelta(days=1)
    partner.baa_effective_on = T0.date() - timedelta(days=400)
    partner.save(update_fields=["baa_expires_on", "baa_effective_on"])
    assert delivery.deliver_message(message.pk) == "refused"
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED
    assert "baa_expired" in message.last_error
    assert httpserver.log == []


def test_a_url_no_longer_allowed_is_a_failed_attempt(message, settings, httpserver):
    settings.WEBHOOKS_ALLOW_HTTP = False
    assert delivery.deliver_message(message.pk) == "retry"
    assert httpserver.log == []
    assert WebhookDelivery.objects.get().error.startswith("URL refused")


def test_a_test_event_goes_through_the_outbox(endpoint, actor, httpserver):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    message = webhook_services.endpoint_send_test(actor=actor, endpoint=endpoint)
    assert message.case is None
    assert delivery.deliver_message(message.pk) == "delivered"
    (request, _) = httpserver.log[0]
    assert request.headers["X-PatientCare-Event"] == "webhook.test"
    payload = json.loads(request.get_data())
    assert payload["type"] == "webhook.test"
    assert payload["test"] == {"endpoint_id": endpoint.pk}
    assert signing.verify(endpoint.secret, request.headers["X-PatientCare-Signature"], request.data)


def test_a_worker_that_died_mid_attempt_is_recovered_after_the_lease(
    message, httpserver, time_machine, monkeypatch
):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(delivery, "post", crash)
    with pytest.raises(SystemExit):
        delivery.deliver_message(message.pk)
    monkeypatch.undo()
    message.refresh_from_db()
    assert message.attempts == 1  # claimed, never recorded
    assert delivery.deliver_message(message.pk) == "not due"  # the lease holds
    assert outbox.sweep_due() == 0
    time_machine.move_to(T0 + delivery.LEASE, tick=False)
    assert outbox.sweep_due() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.attempts == 2


# --- rules ---------------------------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(7)
    for attempt in range(1, 20):
        nominal = min(60 * 2 ** (attempt - 1), 6 * 3600)
        wait = delivery.backoff(attempt, rng=rng).total_seconds()
        assert 0.8 * nominal <= wait <= 1.2 * nominal


@pytest.mark.parametrize(
    ("url", "allow_http", "ok"),
    [
        ("https://partner.example/hooks", False, True),
        ("http://partner.example/hooks", False, False),
        ("http://partner.example/hooks", True, False),  # http only to loopback
        ("http://127.0.0.1:8001/hooks", False, False),
        ("http://127.0.0.1:8001/hooks", True, True),
        ("http://[::1]:8001/hooks", True, True),
        ("http://localhost:8001/hooks", True, True),
        ("https://user:pass@partner.example/hooks", False, False),
        ("ftp://partner.example/hooks", True, False),
    ],
)
def test_endpoint_urls(settings, url, allow_http, ok):
    settings.WEBHOOKS_ALLOW_HTTP = allow_http
    settings.DEBUG = False
    if ok:
        validate_endpoint_url(url)
    else:
        with pytest.raises(ValidationError):
            validate_endpoint_url(url)


def test_debug_allows_loopback_http(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.DEBUG = True
    validate_endpoint_url("http://127.0.0.1:8001/hooks")


def test_only_known_event_types_can_be_subscribed(make_endpoint):
    with pytest.raises(ValidationError, match="Unknown event types"):
        make_endpoint(event_types=["case.status_changed", "case.deleted"])
    with pytest.raises(ValidationError):
        make_endpoint(event_types=["webhook.test"])
