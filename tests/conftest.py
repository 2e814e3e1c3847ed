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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests hash many throwaway passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def actor(db):
    return UserFactory(username="agent-actor", first_name="Agent", last_name="Actor")


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
    return UserFactory(username="root-admin", is_superuser=True, is_staff=True)


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
