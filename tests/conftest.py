"""Shared test fixtures. Tests run on whatever DATABASE_URL / REDIS_URL name (CI: PostgreSQL and
Redis); with neither set, on SQLite and the in-memory channel layer. Outbound network is blocked
by pytest-socket (only loopback is allowed, see pyproject.toml)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from channels.layers import get_channel_layer
from django.db import connection

from tests.factories import CategoryFactory, QueueFactory, UserFactory


def pytest_configure(config):
    """Servers and workers train red flags' model when they start (a background thread); the
    suite imports the ASGI application in many places and trains it when a test asks."""
    from django.conf import settings

    settings.RED_FLAG_MODEL_WARM_UP = False


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_run_inline():
    """Tasks run inline in tests, also when REDIS_URL names a real broker (CI): no worker
    consumes the test run's queue. Celery reads its configuration once, so it is set on the app."""
    from patientcare.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@pytest.fixture(autouse=True)
def _force_login_is_not_a_login(monkeypatch):
    """``client.force_login`` is a test's shortcut past the login page, not a login: it writes no
    authentication entry (compliance/auth_log.py), so tests of other entries (access logging:
    "no ACCESS entry was written") see only their own. Real logins through the login page are
    audited and tested (tests/compliance/test_auth_log.py).

    It also stands in for the second factor, which stays enforced in every test (mfa/): the
    session is marked verified through django-otp's public ``login(request, device)`` with a
    confirmed device of the user's own (recovery codes with no codes in them: a marker that can
    verify nothing). ``force_login(user, verified=False)`` leaves the session owing its second
    factor; the second factor's own tests log in through the pages (tests/mfa/)."""
    from django.contrib.auth.signals import user_logged_in
    from django.test.client import ClientMixin

    from compliance import auth_log

    original = ClientMixin.force_login

    def force_login(self, user, backend=None, *, verified=True):
        user_logged_in.disconnect(dispatch_uid=auth_log.LOGIN_UID)
        try:
            original(self, user, backend)
        finally:
            user_logged_in.connect(auth_log._logged_in, dispatch_uid=auth_log.LOGIN_UID)
        if verified:
            _mark_second_factor_given(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


TEST_MARKER_DEVICE = "test: force_login"


def _mark_second_factor_given(client, user) -> None:
    from django.http import HttpRequest
    from django_otp import login as otp_login
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.filter(user=user, name=TEST_MARKER_DEVICE).first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=TEST_MARKER_DEVICE, confirmed=True)
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = user
    otp_login(request, device)
    session.save()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests hash many throwaway passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _channel_layer_of_its_own(request):
    """An async test (a consumer test) gets channel layer instances of its own. Channels keeps
    one instance per process, and channels-redis keeps asyncio state on it (its receive lock and
    per-channel locks) that belongs to the event loop it was made in, while each async test runs
    in a loop of its own: state a previous test's loop left (a receive still pending when its
    loop closed) failed a later test with "Lock … is bound to a different event loop"."""
    if not asyncio.iscoroutinefunction(getattr(request, "function", None)):
        yield
        return
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def actor(db):
    return UserFactory(username="agent-actor", first_name="Agent", last_name="Actor")


@pytest.fixture
def intake_agent(db):
    """A person in the Agent role: intake matches them to the patients they may look up
    (``actor`` has no role, so intake never matches an existing patient for it)."""
    from accounts.roles import Role, ensure_role_groups

    user = UserFactory(username="agent-intake")
    user.groups.add(ensure_role_groups()[Role.AGENT])
    return user


@pytest.fixture
def other_agent(db):
    return UserFactory(username="agent-other")


@pytest.fixture
def queue(db):
    return QueueFactory(name="Billing", slug="billing")


@pytest.fixture
def category(queue):
    return CategoryFactory(
        name="Statement question", slug="statement-question", default_queue=queue
    )


@pytest.fixture
def admin_user(db):
    """The operator of the admin's tests: a superuser (configuration) who since issue 17 reaches
    patient data only through roles, like anybody — here Supervisor and Compliance officer (every
    case read-only, every field, sensitive records) and ``supervise_queue`` on every queue, those
    that exist and those the test makes later, so the admin's work actions reach every case.
    Tests of what a superuser *without* roles reaches use a user of their own."""
    from django.db.models.signals import post_save
    from guardian.shortcuts import assign_perm

    from accounts.roles import Role, ensure_role_groups
    from cases.models import Queue

    groups = ensure_role_groups()
    user = UserFactory(username="root-admin", is_superuser=True, is_staff=True)
    user.groups.add(groups[Role.SUPERVISOR], groups[Role.COMPLIANCE_OFFICER])
    for existing in Queue.objects.all():
        assign_perm("cases.supervise_queue", user, existing)

    def supervise_new_queue(sender, instance, created, **kwargs):
        if created:
            assign_perm("cases.supervise_queue", user, instance)

    post_save.connect(supervise_new_queue, sender=Queue, dispatch_uid="admin-user-queues")
    yield user
    post_save.disconnect(sender=Queue, dispatch_uid="admin-user-queues")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


class GroupListener:
    """Listens to channel-layer groups from a test, on one event loop of its own, so the same
    code works with the in-memory layer and with channels-redis."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.layer = get_channel_layer()
        self.channel = self.loop.run_until_complete(self.layer.new_channel("test."))
        self.groups: list[str] = []

    def join(self, group: str) -> None:
        self.loop.run_until_complete(self.layer.group_add(group, self.channel))
        self.groups.append(group)

    def receive_all(self, timeout: float = 0.3) -> list[dict]:
        async def drain() -> list[dict]:
            messages = []
            while True:
                try:
                    messages.append(
                        await asyncio.wait_for(self.layer.receive(self.channel), timeout)
                    )
                except TimeoutError:
                    return messages

        return self.loop.run_until_complete(drain())

    def close(self) -> None:
        for group in self.groups:
            self.loop.run_until_complete(self.layer.group_discard(group, self.channel))
        close_pools = getattr(self.layer, "close_pools", None)
        if close_pools is not None:
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(close_pools())
        self.loop.close()


@pytest.fixture
def listener():
    group_listener = GroupListener()
    yield group_listener
    group_listener.close()


@pytest.fixture
def vendor() -> str:
    return connection.vendor


# --- audit trail: let pytest-django flush the append-only audit table ----------------------------

_DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def _audit_purge_flag_for_flush(request, tmp_path, settings):
    """The audit tables' triggers refuse DELETE and TRUNCATE, which pytest-django's flush after a
    transactional test uses. Suspend them (``ALTER TABLE … DISABLE TRIGGER USER``: the test role
    is a superuser, the application's role could not) just before that flush — this fixture is
    set up after the database helper, so its teardown runs before the flush — and put them back
    when the next test starts. Anchors of the audit chain go to the test's own directory."""
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors.jsonl")
    settings.AUDIT_ANCHOR_KEY_FILE = str(tmp_path / "audit-anchor-key.pem")
    settings.AUDIT_ANCHOR_CREATE_KEY = True
    settings.AUDIT_ANCHOR_PUBLIC_KEY_FILE = ""
    settings.AUDIT_ANCHOR_SYSLOG = ""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        _DB_FIXTURES & set(request.fixturenames)
    )
    if not uses_db:
        yield
        return
    from compliance import append_only

    request.getfixturevalue("_django_db_helper")
    if _audit_triggers["off"]:  # the test itself runs with the triggers in force
        append_only.enable(connection)
        _audit_triggers["off"] = connection.in_atomic_block  # rolled back with the test
    yield
    if connection.in_atomic_block:  # a rolled-back test: nothing is flushed
        return
    append_only.disable(connection)
    _audit_triggers["off"] = True


_audit_triggers = {"off": False}


def seal_now(**options) -> int:
    from compliance.sealer import seal_pending

    return seal_pending(single_writer=True, **options)


def seal_committed(timeout: float = 60.0) -> int:
    """Run the real sealer (never past a transaction in flight) until every entry is sealed: for
    transactional tests whose writers have committed. Transactions of other databases on the
    same server (other test workers) hold the horizon back until they end."""
    import time

    from compliance.sealer import seal_pending, unsealed_count

    sealed, deadline = 0, time.monotonic() + timeout
    while True:
        sealed += seal_pending()
        if not unsealed_count() or time.monotonic() > deadline:
            return sealed
        time.sleep(0.05)


@pytest.fixture
def seal_audit():
    """Seal the audit entries now (the sealer runs every second in production): for tests that
    read an entry's place in the hash chain. The test's own transaction is the only writer of
    its database, so its entries are sealed in it (``single_writer``). Returns how many."""
    return seal_now
