"""cases.errors: the services' one refusal hierarchy, and each edge mapping it in one place."""

import pickle

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from cases.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError


def test_every_kind_is_a_validation_error_with_code_field_and_message():
    for kind in (Invalid, Conflict, NotFound, Forbidden):
        error = kind("Say why.", code="blank", field="reason")
        assert isinstance(error, ServiceError)
        assert isinstance(error, ValidationError)
        assert (error.code, error.field, error.safe_message) == ("blank", "reason", "Say why.")
        assert error.message_dict == {"reason": ["Say why."]}
        assert [e.code for e in error.error_dict["reason"]] == ["blank"]


def test_not_found_and_forbidden_are_djangos_404_and_403():
    assert isinstance(NotFound("No such case.", field="case"), Http404)
    assert isinstance(Forbidden("No.", field="sensitivity"), PermissionDenied)
    assert not isinstance(Conflict("Taken.", code="already_assigned"), Http404 | PermissionDenied)


def test_wrap_keeps_every_field_prefixed_and_the_shared_code():
    wrapped = Invalid.wrap(
        ValidationError(
            {
                "mrn": ValidationError("Unknown field.", code="unknown_field"),
                "nickname": ValidationError("Unknown field.", code="unknown_field"),
            }
        ),
        prefix="patient.",
    )
    assert set(wrapped.message_dict) == {"patient.mrn", "patient.nickname"}
    assert (wrapped.code, wrapped.field) == ("unknown_field", "patient.mrn")
    mixed = Invalid.wrap(
        ValidationError(
            {"a": ValidationError("x", code="blank"), "b": ValidationError("y", code="max_length")}
        )
    )
    assert mixed.code == "invalid"


def test_renamed_keeps_the_kind():
    error = Conflict("Not from new.", code="invalid_transition", field="status")
    renamed = error.renamed({"status": "to_status"})
    assert isinstance(renamed, Conflict)
    assert renamed.message_dict == {"to_status": ["Not from new."]}
    assert renamed.code == "invalid_transition"


def test_a_refusal_survives_pickling():
    error = pickle.loads(pickle.dumps(Conflict("Taken.", code="already_assigned", field="case")))  # noqa: S301 (our own bytes)
    assert isinstance(error, Conflict)
    assert (error.code, error.field, error.message_dict) == (
        "already_assigned",
        "case",
        {"case": ["Taken."]},
    )


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Invalid("Bad.", code="blank", field="reason"), 400),
        (Conflict("Taken.", code="already_assigned", field="case"), 409),
        (ValidationError({"reason": ValidationError("Bad.", code="already_assigned")}), 400),
    ],
)
def test_the_api_and_the_console_answer_by_kind_not_by_code(error, status):
    from api.errors import refusal_status as api_status
    from console.refusals import refusal_status as console_status

    assert api_status(error) == status
    assert console_status(error) == status


def test_the_console_lets_not_found_and_forbidden_through_as_404_and_403():
    from console.refusals import refusal_status

    with pytest.raises(Http404):
        refusal_status(NotFound("No such case.", field="case"))
    with pytest.raises(PermissionDenied):
        refusal_status(Forbidden("No.", field="sensitivity"))


def test_no_service_module_builds_its_own_refusal_helper():
    """The five ``_error()`` copies and the three conflict-code lists are gone for good."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in ("cases", "complaints", "escalations", "partners", "compliance", "api")
        for path in (root / package).rglob("*.py")
        if "def _error(" in path.read_text() or "CONFLICT_CODES" in path.read_text()
    ]
    assert offenders == []
