"""The audited write path's diff (compliance/diff.py) gives exactly what auditlog's
``model_instance_diff`` gives, for every audited model and every kind of change, and the sealing
receivers (compliance/sealing.py) are the ones auditlog connects."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.db import models
from django.db.models.signals import post_save, pre_save

from cases import services
from cases.models import Case
from compliance import sealing
from compliance.diff import instance_diff
from compliance.models import AuditEntry

AUDITED = sorted(auditlog.get_models(), key=lambda model: model._meta.label)


def _value(field: models.Field, n: int):
    """A value of the field's type; ``n`` makes values differ between instances."""
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        return n
    if isinstance(field, models.BooleanField):
        return bool(n % 2)
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(2026, 1, 1, 8, 0, n, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(minutes=n)
    if isinstance(field, models.TimeField):
        return datetime.time(8, n % 60)
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(n) / 100
    if isinstance(field, models.FloatField):
        return n + 0.5
    if isinstance(field, models.IntegerField | models.BigAutoField | models.AutoField):
        return n
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=n)
    if isinstance(field, models.JSONField):
        return {"n": n, "list": [n, str(n)]}
    if isinstance(field, models.GenericIPAddressField):
        return f"10.0.0.{n % 250}"
    if isinstance(field, models.BinaryField):
        return bytes([n % 256])
    return f"value {n}"


def _instance(model, n: int, *, only=None):
    instance = model()
    for field in model._meta.concrete_fields:
        if only is None or field.name in only:
            setattr(instance, field.attname, _value(field, n))
    return instance


def _both(old, new, fields_to_check=None, use_json=False):
    ours = instance_diff(old, new, fields_to_check, use_json)
    theirs = model_instance_diff(old, new, fields_to_check, use_json)
    return ours, theirs


def test_every_model_is_covered():
    assert Case in AUDITED and AuditEntry not in AUDITED
    assert len(AUDITED) >= 20


@pytest.mark.parametrize("use_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("model", AUDITED, ids=lambda model: model._meta.label)
def test_the_same_diff_as_auditlog_for_every_audited_model(model, use_json):
    first, second = _instance(model, 1), _instance(model, 2)
    names = [field.name for field in model._meta.concrete_fields]
    half = set(names[::2])
    partly = _instance(model, 1)
    for field in model._meta.concrete_fields:
        if field.name in half:
            setattr(partly, field.attname, _value(field, 3))
    cases = {
        "create": (None, first, None),
        "delete": (first, None, None),
        "change every field": (first, second, None),
        "change half": (first, partly, None),
        "no change": (first, _instance(model, 1), None),
        "saved fields only": (first, second, frozenset(names[1::3])),
        "saved fields by column": (first, second, frozenset(f.attname for f in model._meta.fields)),
        "saved fields unchanged": (first, partly, frozenset(names[1::2])),
        "create, saved fields": (None, first, frozenset(names[:2])),
    }
    for label, (old, new, fields_to_check) in cases.items():
        ours, theirs = _both(old, new, fields_to_check, use_json)
        assert ours == theirs, label


def test_masked_and_included_fields_as_registered():
    from accounts.models import User
    from partners.models import ServiceToken

    old, new = _instance(User, 1), _instance(User, 2)
    ours, theirs = _both(old, new)
    assert ours == theirs
    assert ours["password"][1].startswith("*")  # masked, as registered
    old, new = _instance(ServiceToken, 1), _instance(ServiceToken, 2)
    ours, theirs = _both(old, new)
    assert ours == theirs
    assert set(ours) <= set(ServiceToken.AUDITED_FIELDS)  # never the digest


def test_a_model_registered_again_is_worked_out_again():
    from cases.models import QueueLanguage

    old, new = _instance(QueueLanguage, 1), _instance(QueueLanguage, 2)
    before = instance_diff(old, new)
    options = auditlog._registry[QueueLanguage]
    try:
        auditlog.unregister(QueueLanguage)
        auditlog.register(QueueLanguage, exclude_fields=["language"])
        after = instance_diff(old, new)
        assert after == model_instance_diff(old, new)
        assert "language" in before and "language" not in after
    finally:
        auditlog.unregister(QueueLanguage)
        auditlog._registry[QueueLanguage] = options
        auditlog._connect_signals(QueueLanguage)
    assert instance_diff(old, new) == before


def test_the_sealing_receivers_are_connected():
    assert auditlog._signals[pre_save] is sealing.log_update
    assert auditlog._signals[post_save] is sealing.log_create


@pytest.mark.django_db
def test_pre_log_can_veto_and_post_log_sees_the_entry(actor, case):
    seen = []

    def veto(sender, instance, action, **kwargs):
        return False

    def record(sender, log_entry, changes, **kwargs):
        seen.append((log_entry, changes))

    before = AuditEntry.objects.count()
    pre_log.connect(veto, sender=Case)
    try:
        services.case_transition(actor=actor, case=case, to_status="in_progress")
    finally:
        pre_log.disconnect(veto, sender=Case)
    entries = AuditEntry.objects.order_by("chain_index")[before:]
    assert [entry.content_type.model for entry in entries] == ["caseevent"]

    post_log.connect(record, sender=Case)
    try:
        services.case_transition(actor=actor, case=case, to_status="waiting_on_patient")
    finally:
        post_log.disconnect(record, sender=Case)
    assert len(seen) == 1
    entry, changes = seen[0]
    assert entry.action == AuditEntry.Action.UPDATE and "status" in changes


def test_what_is_not_a_model_instance_is_refused_as_auditlog_refuses_it():
    for old, new in (("a row", None), (None, {"id": 1})):
        with pytest.raises(TypeError, match="not a valid model instance"):
            instance_diff(old, new)
