"""The webhook admin: permissions for every page and action, the secret shown once, rotation,
test events, the read-only outbox with its delivery log, and replay."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases import services
from cases.choices import Status, Visibility
from tests.factories import UserFactory
from tests.webhooks.conftest import HOOK_PATH, messages_of
from webhooks import delivery, signing
from webhooks.models import OutboxMessage, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ENDPOINTS = "admin:webhooks_webhookendpoint_changelist"
MESSAGES = "admin:webhooks_outboxmessage_changelist"


def staff(username, *codenames):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="webhooks", codename__in=codenames)
    )
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


def action(client, url_name, name, objects):
    return client.post(
        reverse(url_name),
        {"action": name, "_selected_action": [obj.pk for obj in objects], "index": 0},
        follow=True,
    )


@pytest.fixture
def failed_message(actor, partner_case, endpoint, httpserver):
    """A reply message that gave up (503 until the last attempt), then the partner recovered."""
    services.case_add_note(
        actor=actor,
        case=partner_case,
        body="Reply text Zebulon must not see in the admin",
        visibility=Visibility.PATIENT,
    )
    (message,) = messages_of()
    httpserver.expect_oneshot_request(HOOK_PATH).respond_with_data("down", status=503)
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=delivery.MAX_ATTEMPTS - 1)
    assert delivery.deliver_message(message.pk) == "failed"
    message.refresh_from_db()
    return message


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", [ENDPOINTS, MESSAGES])
def test_anonymous_users_are_sent_to_the_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("url_name", [ENDPOINTS, MESSAGES])
def test_staff_without_the_permissions_are_refused(client, url_name, failed_message, endpoint):
    logged_in(client, staff("plain-staff"))
    assert client.get(reverse(url_name)).status_code == 403
    assert (
        client.get(
            reverse("admin:webhooks_outboxmessage_change", args=[failed_message.pk])
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])).status_code
        == 403
    )
    assert client.get(reverse("admin:webhooks_webhookendpoint_add")).status_code == 403


def test_viewers_see_the_outbox_and_its_log_but_cannot_replay_or_edit(client, failed_message):
    logged_in(client, staff("viewer", "view_outboxmessage"))
    listing = client.get(reverse(MESSAGES))
    assert listing.status_code == 200
    assert b"replay" not in listing.content

    page = client.get(reverse("admin:webhooks_outboxmessage_change", args=[failed_message.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "HTTP 503" in content  # the delivery log, inline
    assert "down" in content
    assert 'name="_save"' not in content  # read-only
    # the reply's text is not shown to operators
    assert "Zebulon" not in content
    assert "characters, not shown" in content

    # no replay by a crafted POST, no edits, no additions, no deletion
    response = action(client, MESSAGES, "replay", [failed_message])
    assert response.status_code == 200
    failed_message.refresh_from_db()
    assert failed_message.state == OutboxMessage.State.FAILED
    change_url = reverse("admin:webhooks_outboxmessage_change", args=[failed_message.pk])
    assert client.post(change_url, {"payload": "{}"}).status_code == 403
    assert client.get(reverse("admin:webhooks_outboxmessage_add")).status_code == 403
    delete_url = reverse("admin:webhooks_outboxmessage_delete", args=[failed_message.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert OutboxMessage.objects.filter(pk=failed_message.pk).exists()


def test_not_even_a_superuser_can_edit_a_payload(admin_client, failed_message):
    change_url = reverse("admin:webhooks_outboxmessage_change", args=[failed_message.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="payload"' not in page.content.decode()
    assert admin_client.post(change_url, {"payload": "{}"}).status_code == 403
    failed_message.refresh_from_db()
    assert failed_message.payload["reply"]["body"].startswith("Reply text")


# --- replay --------------------------------------------------------------------------------------


def test_replay_sends_a_failed_message_again(
    client, failed_message, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    logged_in(client, staff("operator", "view_outboxmessage", "replay_outboxmessage"))
    assert b"Replay" in client.get(reverse(MESSAGES)).content

    with django_capture_on_commit_callbacks(execute=True):
        response = action(client, MESSAGES, "replay", [failed_message])
    assert response.status_code == 200
    assert b"1 message(s) queued for delivery again." in response.content

    failed_message.refresh_from_db()
    assert failed_message.state == OutboxMessage.State.DELIVERED
    assert failed_message.attempts == delivery.MAX_ATTEMPTS + 1  # attempts kept, one more
    log = list(failed_message.deliveries.order_by("attempt"))
    assert [(d.attempt, d.response_status) for d in log] == [
        (delivery.MAX_ATTEMPTS, 503),
        (delivery.MAX_ATTEMPTS + 1, 200),
    ]
    # what the partner got is the original event, signed afresh
    request, _ = httpserver.log[-1]
    assert request.headers["X-PatientCare-Event-Id"] == str(failed_message.event_id)
    assert signing.verify(
        failed_message.endpoint.secret,
        request.headers["X-PatientCare-Signature"],
        request.get_data(),
    )
    # the admin's log says who replayed it
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get(object_id=str(failed_message.pk))
    assert entry.user.username == "operator"
    assert "Replayed" in entry.get_change_message()


def test_replay_of_a_delivered_message_delivers_it_again(
    admin_client, actor, partner_case, endpoint, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(actor=actor, case=partner_case, to_status=Status.TRIAGED)
    (message,) = messages_of()
    assert message.state == OutboxMessage.State.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        action(admin_client, MESSAGES, "replay", [message])
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED
    assert message.deliveries.count() == 2
    assert len(httpserver.log) == 2


# --- endpoints -----------------------------------------------------------------------------------


def test_the_secret_is_shown_once_at_creation(client, partner, hook_url):
    logged_in(client, staff("integrator", "add_webhookendpoint", "view_webhookendpoint"))
    form = client.get(reverse("admin:webhooks_webhookendpoint_add"))
    assert form.status_code == 200
    assert 'name="secret"' not in form.content.decode()  # never a form field
    response = client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "organisation": partner.pk,
            "description": "EHR inbox",
            "url": hook_url,
            "event_types": ["case.status_changed", "case.reply"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["case.status_changed", "case.reply"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    # afterwards: masked everywhere
    page = client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert endpoint.masked_secret in page.content.decode()
    assert endpoint.secret not in client.get(reverse(ENDPOINTS)).content.decode()


def test_the_admin_refuses_plain_http_to_the_internet(admin_client, partner, settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"organisation": partner.pk, "url": "http://partner.example/hooks", "active": "on"},
    )
    assert response.status_code == 200
    assert "must use https" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_secret_is_never_in_the_audit_trail(admin_client, partner, hook_url):
    from compliance.models import AuditEntry

    admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"organisation": partner.pk, "url": hook_url, "event_types": ["case.reply"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    entries = AuditEntry.objects.filter(
        content_type__app_label="webhooks", object_pk=str(endpoint.pk)
    )
    assert entries.count() == 1  # where PHI goes is on the trail ...
    text = json.dumps([entry.changes for entry in entries], default=str)
    assert hook_url in text
    assert endpoint.secret not in text  # ... but the secret is not
    assert "secret" not in json.loads(text)[0]


def test_rotation_needs_its_permission_and_shows_the_new_secret_once(
    client, endpoint, time_machine
):
    old = endpoint.secret
    logged_in(client, staff("editor", "view_webhookendpoint", "change_webhookendpoint"))
    assert b"rotate_secret" not in client.get(reverse(ENDPOINTS)).content
    action(client, ENDPOINTS, "rotate_secret", [endpoint])
    endpoint.refresh_from_db()
    assert endpoint.secret == old

    logged_in(client, staff("rotator", "view_webhookendpoint", "rotate_secret_webhookendpoint"))
    response = action(client, ENDPOINTS, "rotate_secret", [endpoint])
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    assert endpoint.previous_secret_expires_at is not None
    content = response.content.decode()
    assert endpoint.secret in content
    assert old not in content
    assert "no-store" in response["Cache-Control"]


def test_send_test_event(client, endpoint, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request(HOOK_PATH).respond_with_data("ok")
    logged_in(client, staff("viewer-only", "view_webhookendpoint"))
    assert b"send_test_event" not in client.get(reverse(ENDPOINTS)).content
    action(client, ENDPOINTS, "send_test_event", [endpoint])
    assert not OutboxMessage.objects.exists()

    logged_in(client, staff("tester", "view_webhookendpoint", "send_test_webhookendpoint"))
    with django_capture_on_commit_callbacks(execute=True):
        response = action(client, ENDPOINTS, "send_test_event", [endpoint])
    assert b"Test event queued for 1 endpoint(s)" in response.content
    message = OutboxMessage.objects.get()
    assert message.event_type == "webhook.test"
    assert message.state == OutboxMessage.State.DELIVERED
    (request, _) = httpserver.log[0]
    assert request.headers["X-PatientCare-Event"] == "webhook.test"
    assert WebhookDelivery.objects.get().response_status == 200


def test_outbox_search_by_case_reference_and_event_id(admin_client, failed_message):
    reference = failed_message.payload["case"]["reference"]
    for term in [reference, str(failed_message.event_id), "not-a-uuid"]:
        response = admin_client.get(reverse(MESSAGES), {"q": term})
        assert response.status_code == 200
        found = list(response.context["cl"].result_list)
        assert found == ([] if term == "not-a-uuid" else [failed_message])
