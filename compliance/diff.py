"""The audited write path's diff: auditlog's ``model_instance_diff``, with the choice of fields
worked out once per model instead of on every save (docs/architecture/audit.md, "Writing
entries").

``model_instance_diff`` rebuilds, for every audited save, the set of the model's fields (from
``_meta.get_fields()`` and a registry lookup per field for a new row), narrows it to the saved
fields, applies the registration's include and exclude lists, and reads each value of the old
row even when there is none (an exception per field). That was over half of the Python an
audited write adds. ``instance_diff`` keeps the fields each (model, registration, kind of change,
saved fields) comes to, and reads the values with auditlog's own ``get_field_value`` and masking,
so the result is the same dictionary; ``tests/compliance/test_diff.py`` compares the two for
every audited model. Anything unusual (instances of two models, a model auditlog does not know)
goes to ``model_instance_diff`` itself.
"""

from __future__ import annotations

from auditlog.diff import (
    get_field_value,
    get_mask_function,
    is_primitive,
    model_instance_diff,
    track_field,
)
from auditlog.registry import auditlog
from django.db.models import ForeignKey, Model
from django.utils.encoding import smart_str

# (model, kind of change, saved fields, JSON changes) -> (registration, fields, mask function)
_PLANS: dict = {}


def _plan(model, kind: str, fields_to_check, use_json: bool):
    """The fields a diff of ``model`` looks at, exactly as ``model_instance_diff`` picks them,
    each with whether it is masked and the value a missing side has (no old row: a new one);
    and the mask function."""
    if kind == "change":
        fields = set(model._meta.fields)
    else:
        fields = {field for field in model._meta.get_fields() if track_field(field)}
    if fields_to_check:
        fields = {
            field
            for field in fields
            if (isinstance(field, ForeignKey) and field.attname in fields_to_check)
            or field.name in fields_to_check
        }
    model_fields = auditlog.get_model_fields(model)
    if (model_fields["include_fields"] or model_fields["exclude_fields"]) and fields:
        if model_fields["include_fields"]:
            fields = [f for f in fields if f.name in model_fields["include_fields"]]
        if model_fields["exclude_fields"]:
            fields = [f for f in fields if f.name not in model_fields["exclude_fields"]]
    masked = set(model_fields["mask_fields"])
    mask = get_mask_function(model_fields.get("mask_callable")) if masked else None
    plan = [
        (field, field.name in masked, get_field_value(None, field, use_json)) for field in fields
    ]
    return plan, mask


def instance_diff(
    old: Model | None, new: Model | None, fields_to_check=None, use_json_for_changes=False
):
    """``auditlog.diff.model_instance_diff(old, new, fields_to_check, use_json_for_changes)``."""
    if not all(side is None or isinstance(side, Model) for side in (old, new)):
        return model_instance_diff(old, new, fields_to_check, use_json_for_changes)  # TypeError
    if old is not None and new is not None:
        kind, model = "change", new._meta.model
        if old._meta.model is not model:
            model = None
    elif new is not None:
        kind, model = "create", new._meta.model
    elif old is not None:
        kind, model = "delete", old._meta.model
    else:
        kind, model = "", None
    registration = auditlog._registry.get(model) if model is not None else None
    if registration is None:
        return model_instance_diff(old, new, fields_to_check, use_json_for_changes)

    checked = frozenset(fields_to_check) if fields_to_check else None
    key = (model, kind, checked, bool(use_json_for_changes))
    cached = _PLANS.get(key)
    if cached is None or cached[0] is not registration:  # registered again since: work it out
        cached = _PLANS[key] = (registration, *_plan(model, kind, checked, use_json_for_changes))
    _registration, plan, mask = cached

    diff = {}
    for field, is_masked, missing in plan:
        old_value = missing if old is None else get_field_value(old, field, use_json_for_changes)
        new_value = missing if new is None else get_field_value(new, field, use_json_for_changes)
        if old_value != new_value:
            if is_masked:
                diff[field.name] = (mask(smart_str(old_value)), mask(smart_str(new_value)))
            elif not use_json_for_changes:
                diff[field.name] = (smart_str(old_value), smart_str(new_value))
            else:
                if not is_primitive(old_value):
                    old_value = smart_str(old_value)
                if not is_primitive(new_value):
                    new_value = smart_str(new_value)
                diff[field.name] = (old_value, new_value)
    return diff or None
