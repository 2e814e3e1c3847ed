"""The people and queues the tests of ``cases.changes`` share (tests/cases/test_changes_*.py).

Queues A and B (C: nobody here works it), a general-information category per queue, and:

* ``agent``: Agent, works A; ``agent_b``: Agent, works B; ``agent_ab``: works A and B;
* ``supervisor``: Supervisor (may set sensitivity), supervises A, no sensitive-records clearance;
* ``cleared_supervisor``: Supervisor with the sensitive-records clearance, supervises A;
* ``cleared``: Agent with the sensitive-records clearance, works A;
* ``compliance``: Compliance officer (sees every case, sensitive ones too; works none);
* ``outsider``: Agent of no queue here; ``intake``: opens the cases.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases.models import Case
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case

User = get_user_model()


class ChangesWorld:
    def __init__(self) -> None:
        groups = ensure_role_groups()
        self.queue_a = QueueFactory(name="Change A", slug="change-a")
        self.queue_b = QueueFactory(name="Change B", slug="change-b")
        self.queue_c = QueueFactory(name="Change C", slug="change-c")
        self.categories = {
            queue.pk: CategoryFactory(default_queue=queue)
            for queue in (self.queue_a, self.queue_b, self.queue_c)
        }
        self.intake = UserFactory(username="change-intake")
        self.intake.groups.add(groups[Role.AGENT])

        def person(username, *roles, work=(), supervise=()):
            user = UserFactory(username=username, first_name=username.title(), last_name="T")
            user.groups.add(*(groups[role] for role in roles))
            for queue in work:
                assign_perm("cases.work_queue", user, queue)
            for queue in supervise:
                assign_perm("cases.supervise_queue", user, queue)
            return User.objects.get(pk=user.pk)  # no permission cache from the set-up

        a, b = self.queue_a, self.queue_b
        self.agent = person("change-agent", Role.AGENT, work=[a])
        self.agent_b = person("change-agent-b", Role.AGENT, work=[b])
        self.agent_ab = person("change-agent-ab", Role.AGENT, work=[a, b])
        self.supervisor = person("change-supervisor", Role.SUPERVISOR, supervise=[a])
        self.cleared_supervisor = person(
            "change-cleared-supervisor", Role.SUPERVISOR, Role.SENSITIVE_RECORDS, supervise=[a]
        )
        self.cleared = person("change-cleared", Role.AGENT, Role.SENSITIVE_RECORDS, work=[a])
        self.compliance = person("change-compliance", Role.COMPLIANCE_OFFICER)
        self.outsider = person("change-outsider", Role.AGENT)

    def case(self, queue=None, **overrides) -> Case:
        queue = queue or self.queue_a
        overrides.setdefault("category", self.categories[queue.pk])
        return make_case(actor=self.intake, queue=queue, **overrides)

    def fresh(self, user):
        """``user`` read again: Django caches permissions on the instance."""
        return User.objects.get(pk=user.pk)
