"""Concurrent case intake for the audit benchmarks (audit_overhead.py, audit_seal.py): N writer
processes (fork), each opening cases through the services — a new synthetic patient
(``patient_create``) and its case (``case_open``), two audited transactions — back to back for a
fixed time, with auditing on or off. Not a script of its own."""

from __future__ import annotations

import multiprocessing
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta

QUEUE_SLUG = "bench-intake"
AGENT_PREFIX = "bench-intake-agent-"


@dataclass
class IntakeSetup:
    agent_ids: list[int]
    category_id: int
    queue_id: int


def prepare(writers: int) -> IntakeSetup:
    from guardian.shortcuts import assign_perm

    from accounts.models import User
    from accounts.roles import Role, ensure_role_groups
    from accounts.services import system_user
    from cases.models import Category, Queue, QueueLanguage
    from compliance.audit import acting_as

    groups = ensure_role_groups()
    with acting_as(system_user()):
        queue, _ = Queue.objects.get_or_create(
            slug=QUEUE_SLUG, defaults={"name": "Bench intake queue"}
        )
        QueueLanguage.objects.get_or_create(queue=queue, language="en")
        category, _ = Category.objects.get_or_create(
            slug=QUEUE_SLUG,
            defaults={
                "name": "Bench intake",
                "kind": "general_information",
                "default_queue": queue,
            },
        )
        agents = []
        for n in range(writers):
            user, created = User.objects.get_or_create(
                username=f"{AGENT_PREFIX}{n:02d}",
                defaults={"first_name": f"Intake{n:02d}", "last_name": "Bench", "is_staff": True},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(groups[Role.AGENT])
            assign_perm("cases.work_queue", user, queue)
            agents.append(user.pk)
    return IntakeSetup(agents, category.pk, queue.pk)


def _writer(n, setup, variant, tag, start_at, seconds, results):
    from auditlog.context import disable_auditlog
    from django.db import connections

    from accounts.models import User
    from cases import services
    from cases.models import Category

    connections.close_all()  # never share the parent's connection
    actor = User.objects.get(pk=setup.agent_ids[n])
    category = Category.objects.select_related("default_queue").get(pk=setup.category_id)
    actor.has_perm("cases.change_case")
    done, latencies = 0, []
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.time() < deadline:
        t0 = time.perf_counter()
        with disable_auditlog() if variant == "off" else nullcontext():
            patient = services.patient_create(
                actor=actor,
                mrn=f"BI-{tag}-W{n:02d}-N{done:06d}",  # no long digit runs (card-like)
                given_name="Bench",
                family_name=f"Intake{done:06d}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=(37 * done) % 25_000),
                preferred_language="en",
            )
            services.case_open(
                actor=actor,
                patient=patient,
                category=category,
                subject="Question about a statement",
                description="Synthetic benchmark case.",
                channel="voice",
            )
        latencies.append(time.perf_counter() - t0)
        done += 1
    connections.close_all()
    results.put((n, done, latencies))


def run_intake(setup: IntakeSetup, *, writers: int, seconds: float, variant: str, tag: str):
    """Run ``writers`` processes for ``seconds``; (intakes per second, all latencies)."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0
    processes = [
        context.Process(target=_writer, args=(n, setup, variant, tag, start_at, seconds, results))
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    found = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    total = sum(done for _n, done, _l in found)
    latencies = [value for _n, _d, values in found for value in values]
    return total / seconds, latencies
