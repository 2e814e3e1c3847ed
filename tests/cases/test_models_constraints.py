"""The database itself refuses states the services would never write."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.choices import EventKind, Status, Visibility
from cases.models import Case, CaseEvent, Category, Patient, QueueLanguage
from tests.factories import PartnerFactory, make_case, make_patient

pytestmark = pytest.mark.django_db


def _refused(queryset, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**changes)


def test_closed_at_is_set_exactly_when_closed(actor, category):
    case = make_case(actor=actor, category=category)
    one = Case.objects.filter(pk=case.pk)
    _refused(one, closed_at=timezone.now())
    _refused(one, status=Status.CLOSED, resolved_at=timezone.now())
    case = services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    case = services.case_transition(actor=actor, case=case, to_status=Status.CLOSED)
    _refused(one, closed_at=None)


def test_resolved_at_is_set_exactly_when_resolved_or_closed(actor, category):
    case = make_case(actor=actor, category=category)
    one = Case.objects.filter(pk=case.pk)
    _refused(one, resolved_at=timezone.now())
    _refused(one, status=Status.RESOLVED)
    services.case_transition(actor=actor, case=case, to_status=Status.RESOLVED)
    _refused(one, status=Status.IN_PROGRESS)


def test_closed_after_resolved(actor, category):
    case = make_case(actor=actor, category=category)
    now = timezone.now()
    _refused(
        Case.objects.filter(pk=case.pk),
        status=Status.CLOSED,
        resolved_at=now,
        closed_at=now - timezone.timedelta(minutes=1),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "archived"), ("priority", 7), ("channel", "fax"), ("language", "xx")],
)
def test_case_choices_are_enforced(actor, category, field, value):
    case = make_case(actor=actor, category=category)
    _refused(Case.objects.filter(pk=case.pk), **{field: value})


def test_reference_is_unique_and_not_blank(actor, category):
    first = make_case(actor=actor, category=category)
    second = make_case(actor=actor, category=category)
    _refused(Case.objects.filter(pk=second.pk), reference=first.reference)
    _refused(Case.objects.filter(pk=second.pk), reference="")


def test_partner_external_reference_unique_in_the_database(actor, category):
    partner = PartnerFactory()
    make_case(actor=actor, category=category, source_organisation=partner, external_reference="X1")
    other = make_case(actor=actor, category=category, source_organisation=partner)
    _refused(Case.objects.filter(pk=other.pk), external_reference="X1")
    # without an organisation, or with a blank reference, duplicates are fine
    make_case(actor=actor, category=category, external_reference="X1")
    make_case(actor=actor, category=category, external_reference="X1")


def test_only_replies_reach_the_patient(actor, category):
    case = make_case(actor=actor, category=category)
    note = services.case_add_note(actor=actor, case=case, body="n", visibility=Visibility.INTERNAL)
    _refused(CaseEvent.objects.filter(pk=note.pk), visibility=Visibility.PATIENT)
    reply = services.case_add_note(actor=actor, case=case, body="r", visibility=Visibility.PATIENT)
    _refused(CaseEvent.objects.filter(pk=reply.pk), visibility=Visibility.INTERNAL)
    _refused(CaseEvent.objects.filter(pk=reply.pk), body="")
    _refused(CaseEvent.objects.filter(pk=reply.pk), kind="gossip")


def test_events_and_cases_are_protected_from_deletion(actor, category):
    case = make_case(actor=actor, category=category)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        case.delete()
    with pytest.raises(ProtectedError):
        case.patient.delete()
    with pytest.raises(ProtectedError):
        category.default_queue.delete()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.OPENED).exists()


def test_patient_constraints(actor):
    patient = make_patient(actor)
    other = make_patient(actor)
    _refused(Patient.objects.filter(pk=other.pk), mrn=patient.mrn)
    _refused(Patient.objects.filter(pk=other.pk), mrn="")
    _refused(Patient.objects.filter(pk=other.pk), preferred_language="klingon")
    _refused(Patient.objects.filter(pk=other.pk), phone="", sms_consent=True)
    # several unverified patients without an MRN are allowed
    Patient.objects.filter(pk__in=[patient.pk, other.pk]).update(mrn=None)


def test_queue_language_and_category_constraints(queue, category):
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueLanguage.objects.create(queue=queue, language="en")  # already served
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueLanguage.objects.create(queue=queue, language="zz")
    category.kind = "astrology"  # kinds are installed apps: validated against the registry
    with pytest.raises(ValidationError) as raised:
        category.full_clean()
    assert "kind" in raised.value.error_dict
    _refused(Category.objects.filter(pk=category.pk), default_priority=3)
