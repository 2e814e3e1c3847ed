"""The synthetic data of bench/partner_intake.py: its categories and queues, names, medications
and texts, and the request bodies a partner posts (``Intakes``: a new synthetic patient each time,
unique MRN and external reference), and what it sets up and counts in its database (the
partner organisation, its service account and token, the queues and categories). Imported by
that script (bench/README.md)."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

ORGANISATION_SLUG = "bench-intake-partner"
ACCOUNT_USERNAME = "svc-bench-intake"

# slug, name, kind, queue slug; the share of intakes each gets
CATEGORIES = [
    ("bench-statement", "Statement question", "billing", "bench-billing", 0.4),
    ("bench-refill", "Refill request", "refills", "bench-pharmacy", 0.3),
    ("bench-hours", "Hours and locations", "general_information", "bench-general", 0.3),
]


QUEUES = [
    ("bench-billing", "Bench billing"),
    ("bench-pharmacy", "Bench pharmacy"),
    ("bench-general", "Bench general"),
]


# Synthetic patients: invented names, phone numbers in the 555-01xx range reserved for fiction,
# e-mail at example.org (RFC 2606).
GIVEN_NAMES = [
    "Avery",
    "Jordan",
    "Riley",
    "Morgan",
    "Quinn",
    "Rowan",
    "Emerson",
    "Hayden",
    "Reese",
    "Dakota",
    "Skyler",
    "Parker",
    "Sage",
    "Kendall",
    "Mateo",
    "Camila",
]


FAMILY_NAMES = [
    "Testwood",
    "Samplesen",
    "Demoford",
    "Mockridge",
    "Placewell",
    "Fictorn",
    "Examplar",
    "Stubbins",
    "Fauxley",
    "Dummond",
    "Pretendo",
    "Synthby",
]


MEDICATIONS = [
    ("lisinopril", "10 mg"),
    ("metformin", "500 mg"),
    ("atorvastatin", "20 mg"),
    ("levothyroxine", "50 mcg"),
    ("amlodipine", "5 mg"),
]


TEXT = {
    "bench-statement": (
        "Question about my latest statement",
        "I received a statement for a visit last month and I do not understand the charges "
        "listed. Can someone explain the line items and whether my insurance was billed?",
    ),
    "bench-refill": (
        "Refill request",
        "I am almost out of my medication and my pharmacy says the prescription has no refills "
        "left. Please ask my prescriber to send a new one.",
    ),
    "bench-hours": (
        "Clinic hours and parking",
        "What are the opening hours of the clinic on Saturdays, and is there parking for "
        "patients near the main entrance?",
    ),
}


class Intakes:
    """Request bodies: a new synthetic patient each time, unique MRN and external reference."""

    def __init__(self, run_id: str, category_slugs: list[str]) -> None:
        self.run_id = run_id
        self.counter = itertools.count(1)  # next() is atomic in CPython: unique across threads
        shares = {slug: share for slug, _n, _k, _q, share in CATEGORIES}
        self.slugs = category_slugs
        self.weights = [shares[slug] for slug in category_slugs]

    def next(self, rng: random.Random) -> tuple[str, bytes]:
        n = next(self.counter)
        slug = rng.choices(self.slugs, self.weights)[0]
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        spanish = rng.random() < 0.2
        subject, description = TEXT[slug]
        body = {
            "patient": {
                "mrn": f"BI{self.run_id}{n:07d}",
                "given_name": given,
                "family_name": family,
                "date_of_birth": (
                    date(1935, 1, 1) + timedelta(days=rng.randrange(32000))
                ).isoformat(),
                "phone": f"+1202555{rng.randrange(100, 200):04d}",
                "email": f"{given.lower()}.{family.lower()}{n}@example.org",
                "preferred_language": "es" if spanish else "en",
                "preferred_contact_channel": rng.choice(["phone", "sms", "email", "portal"]),
                "sms_consent": rng.random() < 0.5,
                "interpreter_needed": spanish and rng.random() < 0.3,
            },
            "category": slug,
            "subject": subject,
            "description": f"{description} (Ticket {n}.)",
            "external_reference": f"{self.run_id}-{n:07d}",
            "details": self.details(slug, rng),
        }
        # The key with its dashes: 32 hex digits in a row can hold 13 to 19 decimal digits that
        # pass the Luhn check, which the API refuses as a card number (400
        # invalid_idempotency_key); no group of a dashed UUID is longer than 12.
        return str(uuid.uuid4()), json.dumps(body).encode()

    @staticmethod
    def details(slug: str, rng: random.Random) -> dict:
        if slug == "bench-statement":
            return {
                "inquiry_type": "statement_question",
                "account_number": f"BENCH-{rng.randrange(100000, 999999)}",
                "date_of_service": (
                    date(2025, 6, 1) + timedelta(days=rng.randrange(300))
                ).isoformat(),
                "amount_in_question": f"{rng.randrange(2000, 250000) / 100:.2f}",
            }
        if slug == "bench-refill":
            medication, strength = rng.choice(MEDICATIONS)
            return {
                "request_type": "refill",
                "medication": medication,
                "strength": strength,
                "pharmacy": f"Bench Pharmacy #{rng.randrange(1, 50)}",
            }
        return {}


@dataclass
class Setup:
    organisation_id: int
    account_id: int
    token: str
    category_slugs: list[str]


def prepare(run_id: str) -> Setup:
    """The small rows, idempotent: role groups, queues, categories, an SLA policy, the partner
    organisation (BAA in force, the categories allowed) and its service account; a new token for
    this run (``partners.credentials``, one day)."""
    from accounts.models import User
    from accounts.roles import ensure_role_groups
    from accounts.services import system_user
    from cases.models import BusinessCalendar, Category, Queue, QueueLanguage, SlaPolicy
    from partners import credentials
    from partners.models import PartnerOrganisation, local_today

    ensure_role_groups()
    system = system_user()
    queues = {}
    for slug, name in QUEUES:
        queue, created = Queue.objects.get_or_create(slug=slug, defaults={"name": name})
        if created:
            QueueLanguage.objects.bulk_create(
                QueueLanguage(queue=queue, language=code) for code in ("en", "es")
            )
        queues[slug] = queue
    categories = []
    for slug, name, kind, queue_slug, _share in CATEGORIES:
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "default_queue": queues[queue_slug]}
        )
        categories.append(category)
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Bench intake 24/7", defaults={"always_open": True}
    )
    SlaPolicy.objects.get_or_create(
        name="Bench intake standard",
        defaults={"first_response_minutes": 240, "resolution_minutes": 1800, "calendar": calendar},
    )

    today = local_today()
    organisation, _ = PartnerOrganisation.objects.update_or_create(
        slug=ORGANISATION_SLUG,
        defaults={
            "name": "Bench Intake EHR",
            "kind": PartnerOrganisation.Kind.EHR,
            "active": True,
            "baa_effective_on": today - timedelta(days=30),
            "baa_expires_on": today + timedelta(days=335),
        },
    )
    organisation.allowed_categories.set(categories)
    account = User.objects.filter(username=ACCOUNT_USERNAME).first()
    if account is None:
        account = credentials.service_account_create(
            actor=system, organisation=organisation, username=ACCOUNT_USERNAME
        )
    _token, plaintext = credentials.token_issue(
        actor=system, account=account, name=f"bench run {run_id}", days=1
    )
    return Setup(organisation.pk, account.pk, plaintext, [c.slug for c in categories])


def database_counts(organisation_id: int, run_id: str) -> dict:
    """What this run left in the database: its cases (by external reference) and patients."""
    from cases.models import Case, Patient

    cases = Case.objects.filter(
        source_organisation_id=organisation_id, external_reference__startswith=f"{run_id}-"
    )
    return {
        "references": list(cases.values_list("reference", flat=True)),
        "patients": Patient.objects.filter(mrn__startswith=f"BI{run_id}").count(),
    }


def server_connections(database_url: str) -> int:
    """Connections to the bench database other than this process's own."""
    from django.db import connection

    name = urlsplit(database_url).path.lstrip("/")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        return cursor.fetchone()[0]
