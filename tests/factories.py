"""Factories for tests. Configuration rows (users, queues, categories, partners) are made
directly; patients and cases are made through the services, like everything in production."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from cases import services
from cases.choices import Channel, Language, Priority
from cases.models import Case, Category, Patient, Queue, QueueLanguage
from partners.models import PartnerOrganisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("test-password-123")


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Queue {n}")
    slug = factory.Sequence(lambda n: f"queue-{n}")

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            for code in extracted or ["en"]:
                QueueLanguage.objects.create(queue=self, language=code)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    kind = "general_information"
    default_queue = factory.SubFactory(QueueFactory)
    default_priority = Priority.NORMAL


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")


def patient_fields(n: int = 0, **overrides) -> dict:
    fields = {
        "mrn": f"TEST{n:06d}",
        "given_name": "Testy",
        "family_name": f"Fictional{n}",
        # Always a valid birth date (1940 to 2022), however large n grows.
        "date_of_birth": datetime.date(1940, 1, 1) + datetime.timedelta(days=n % 30_000),
        "phone": f"+1202555{100 + n % 100:04d}",
        "email": f"patient{n}@example.org",
        "preferred_language": Language.ENGLISH,
    }
    fields.update(overrides)
    return fields


_patient_counter = iter(range(1, 10**9))


def make_patient(actor=None, **overrides) -> Patient:
    actor = actor or UserFactory(username="intake-actor")
    return services.patient_create(
        actor=actor, **patient_fields(next(_patient_counter), **overrides)
    )


def make_case(*, actor=None, patient=None, category=None, **overrides) -> Case:
    actor = actor or UserFactory(username="intake-actor")
    arguments = {
        "actor": actor,
        "patient": patient or make_patient(actor),
        "category": category or CategoryFactory(),
        "subject": "Question about a statement",
        "description": "The patient asks about a charge on a statement.",
        "channel": Channel.VOICE,
    }
    arguments.update(overrides)
    return services.case_open(**arguments)
