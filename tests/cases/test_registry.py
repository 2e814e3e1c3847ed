"""The support-category registry: a new kind plugs in without touching cases/.

The first test installs ``tests.throwaway_category`` (a dental-benefits kind that exists nowhere
else) at run time, creates its table with the schema editor, and shows that categories, intake,
details, validation and the admin all pick it up; then it takes everything down again. The other
tests pin the registry's own rules and check that cases/ imports no category app.
"""

from __future__ import annotations

import ast
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from billing_inquiries.admin import BillingInquiryInline
from billing_inquiries.models import BillingInquiry
from billing_inquiries.serializers import BillingInquirySerializer
from cases import services
from cases.choices import Channel
from cases.details import detail_for, validate_details
from cases.models import Case, CaseEvent, Category, Patient
from cases.registry import SupportKindSpec, registry, support_kind_choices
from tests.factories import QueueFactory, make_patient, patient_fields

THROWAWAY_APP = "tests.throwaway_category"
THROWAWAY_LABEL = "throwaway_category"
DENTAL = "dental_benefits"
DENTAL_LABEL = "Dental benefits (test)"

BUILT_IN_KINDS = {
    "billing",
    "insurance",
    "refills",
    "portal",
    "care_navigation",
    "general_information",
    "complaints",
}
CATEGORY_APPS = (
    "billing_inquiries",
    "insurance_coverage",
    "prescription_refills",
    "portal_support",
    "care_navigation",
    "general_information",
    "complaints",
)
CASES_DIR = Path(__file__).resolve().parents[2] / "cases"


# --- helpers -------------------------------------------------------------------------------------


def error_codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        return name in connection.introspection.table_names(cursor)


@contextlib.contextmanager
def throwaway_kind_installed() -> Iterator[type]:
    """Install the throwaway app (its ready() registers the kind), create its tables (the details
    and their row history, which every detail model inherits from CaseDetail); undo both.

    Needs a transactional test: SQLite's schema editor refuses to run inside a transaction with
    foreign-key checks on, and DDL must not be rolled back under another test's feet."""
    try:
        with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, THROWAWAY_APP]):
            model = apps.get_model(THROWAWAY_LABEL, "DentalBenefitInquiry")
            tables = [model, model.history.model]
            with connection.schema_editor() as editor:
                for table in tables:
                    editor.create_model(table)
            try:
                yield model
            finally:
                with connection.schema_editor() as editor:
                    for table in reversed(tables):
                        editor.delete_model(table)
    finally:
        registry.unregister(DENTAL)


def open_case(actor, category, **overrides) -> Case:
    arguments = {
        "actor": actor,
        "patient": make_patient(actor),
        "category": category,
        "subject": "Crown coverage",
        "description": "The patient asks whether a crown is covered.",
        "channel": Channel.VOICE,
    }
    arguments.update(overrides)
    return services.case_open(**arguments)


# --- 1. a kind that cases/ has never heard of ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_throwaway_category_app_plugs_in_without_touching_cases(admin_client, admin_user):
    queue = QueueFactory(name="Dental line", slug="dental-line")
    assert DENTAL not in registry
    with pytest.raises(ValidationError) as not_yet:
        Category(name="Crowns", slug="crowns", kind=DENTAL, default_queue=queue).full_clean()
    assert "kind" in not_yet.value.error_dict

    with throwaway_kind_installed() as DentalBenefitInquiry:
        assert apps.is_installed(THROWAWAY_APP)
        table = DentalBenefitInquiry._meta.db_table
        assert table_exists(table)
        spec = registry.get(DENTAL)
        assert spec is not None
        assert spec.detail_model is DentalBenefitInquiry
        assert (DENTAL, DENTAL_LABEL) in support_kind_choices()

        # an administrator creates a category of the new kind
        category = Category(name="Crowns", slug="crowns", kind=DENTAL, default_queue=queue)
        category.full_clean()
        category.save()
        assert category.kind_label == DENTAL_LABEL

        # intake stores the details; detail_for reads them back
        details = {"plan_name": "Delta Smiles PPO", "tooth_number": 14, "procedure_code": "D2740"}
        case = open_case(admin_user, category, details=details)
        stored = detail_for(case)
        assert isinstance(stored, DentalBenefitInquiry)
        assert (stored.plan_name, stored.tooth_number, stored.procedure_code) == (
            "Delta Smiles PPO",
            14,
            "D2740",
        )
        assert spec.serializer(stored).data == details
        # row history comes with CaseDetail, its author the actor
        version = stored.history.get()
        assert (version.history_type, version.history_user) == ("+", admin_user)

        # the model's rules are enforced as details.<field>, and nothing is written
        counts = (Case.objects.count(), CaseEvent.objects.count(), Patient.objects.count())
        with pytest.raises(ValidationError) as refused:
            services.case_open(
                actor=admin_user,
                patient=patient_fields(900),
                category=category,
                subject="Bridge",
                description="A bridge question.",
                channel=Channel.VOICE,
                details={"plan_name": "", "tooth_number": 33, "procedure_code": "2740"},
            )
        assert error_codes(refused.value) == {
            "details.plan_name": ["blank"],
            "details.tooth_number": ["max_value"],
            "details.procedure_code": ["invalid"],
        }
        assert (Case.objects.count(), CaseEvent.objects.count(), Patient.objects.count()) == counts
        with pytest.raises(ValidationError) as too_low:
            open_case(admin_user, category, details={"plan_name": "P", "tooth_number": 0})
        assert error_codes(too_low.value) == {"details.tooth_number": ["min_value"]}
        with pytest.raises(ValidationError) as missing:
            open_case(admin_user, category, details={"tooth_number": 3})
        assert error_codes(missing.value) == {"details.plan_name": ["blank"]}

        # another kind's fields are unknown here
        with pytest.raises(ValidationError) as foreign:
            open_case(
                admin_user,
                category,
                details={
                    "plan_name": "Delta Smiles PPO",
                    "inquiry_type": "payment_plan",
                    "account_number": "A-1",
                },
            )
        assert error_codes(foreign.value) == {
            "details.account_number": ["unknown_field"],
            "details.inquiry_type": ["unknown_field"],
        }
        assert Case.objects.count() == counts[0]
        assert CaseEvent.objects.count() == counts[1]
        assert DentalBenefitInquiry.objects.count() == 1

        # the admin intake takes the new kind's details as JSON
        response = admin_client.post(
            reverse("admin:cases_case_add"),
            {
                "patient": make_patient(admin_user).pk,
                "category": category.pk,
                "channel": Channel.EMAIL,
                "subject": "Implant",
                "description": "Implant coverage.",
                "details": json.dumps({"plan_name": "Delta Smiles PPO", "procedure_code": "D6010"}),
            },
        )
        assert response.status_code == 302
        assert DentalBenefitInquiry.objects.filter(procedure_code="D6010").count() == 1

        # and the Case admin shows the kind's inline, read-only
        page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
        assert page.status_code == 200
        inlines = {f.formset.model: f for f in page.context["inline_admin_formsets"]}
        assert DentalBenefitInquiry in inlines
        dental = inlines[DentalBenefitInquiry]
        assert dental.opts.__class__ is spec.admin_inline
        assert [form.instance for form in dental.formset.forms] == [stored]
        assert dental.has_add_permission is False
        assert dental.has_change_permission is False
        assert "Delta Smiles PPO" in page.content.decode()

    # nothing is left behind
    assert DENTAL not in registry
    assert (DENTAL, DENTAL_LABEL) not in support_kind_choices()
    assert not apps.is_installed(THROWAWAY_APP)
    assert THROWAWAY_LABEL not in {config.label for config in apps.get_app_configs()}
    assert not table_exists(table)
    assert set(registry.slugs()) == BUILT_IN_KINDS


# --- 2. the registry's own rules -----------------------------------------------------------------


def test_registering_a_different_spec_for_an_existing_slug_is_refused():
    billing = registry.get("billing")

    with pytest.raises(ImproperlyConfigured, match="already registered"):
        registry.register(SupportKindSpec(slug="billing", label="Billing, again"))

    assert registry.get("billing") is billing
    # the same spec again (ready() run twice, e.g. when a test changes INSTALLED_APPS) is fine
    assert registry.register(billing) is billing
    assert registry.register(SupportKindSpec(**vars(billing))) == billing


@pytest.mark.parametrize("slug", ["", "dental-benefits", "dental benefits", "d" * 33, "x.y"])
def test_malformed_slugs_are_refused(slug):
    with pytest.raises(ImproperlyConfigured, match="slug"):
        SupportKindSpec(slug=slug, label="Bad")


@pytest.mark.parametrize("slug", ["Dental", "dëntal", "dental_٣"])
def test_slugs_outside_lowercase_ascii_are_refused(slug):
    with pytest.raises(ImproperlyConfigured, match="slug"):
        SupportKindSpec(slug=slug, label="Bad")


def test_a_kind_with_a_detail_model_needs_a_serializer():
    with pytest.raises(ImproperlyConfigured, match="no serializer"):
        SupportKindSpec(slug="billing_two", label="Billing two", detail_model=BillingInquiry)

    spec = SupportKindSpec(
        slug="billing_two",
        label="Billing two",
        detail_model=BillingInquiry,
        serializer=BillingInquirySerializer,
        admin_inline=BillingInquiryInline,
    )
    assert spec.serializer is BillingInquirySerializer
    assert "billing_two" not in registry  # building a spec does not register it


def test_the_seven_built_in_kinds_are_registered():
    assert set(registry.slugs()) == BUILT_IN_KINDS
    assert registry.slugs() == [spec.slug for spec in sorted(registry, key=lambda s: s.label)]
    assert support_kind_choices() == [(spec.slug, spec.label) for spec in registry]

    without_details = {spec.slug for spec in registry if spec.detail_model is None}
    assert without_details == {"general_information"}
    for spec in registry:
        if spec.detail_model is not None:
            assert spec.serializer is not None, spec.slug
            assert spec.admin_inline is not None, spec.slug
            assert spec.admin_inline.model is spec.detail_model, spec.slug
            assert spec.serializer.Meta.model is spec.detail_model, spec.slug
            assert spec.detail_model._meta.app_label != "cases", spec.slug


def test_general_information_takes_no_details():
    category = Category(name="Parking", slug="parking", kind="general_information")

    assert validate_details(category, None) is None
    assert validate_details(category, {}) is None
    with pytest.raises(ValidationError) as refused:
        validate_details(category, {"inquiry_type": "payment_plan"})

    assert error_codes(refused.value) == {"details": ["details_not_accepted"]}


def test_details_for_a_kind_that_is_not_installed_are_refused():
    category = Category(name="Crowns", slug="crowns", kind=DENTAL)

    for details in (None, {"plan_name": "Delta"}):
        with pytest.raises(ValidationError) as refused:
            validate_details(category, details)
        assert error_codes(refused.value) == {"category": ["unknown_kind"]}
    assert registry.label(DENTAL) == DENTAL  # an unknown kind is shown by its slug


# --- 3. cases/ imports no category app -----------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_no_module_under_cases_imports_a_category_app():
    sources = sorted(CASES_DIR.rglob("*.py"))
    assert len(sources) > 10  # the walk really found cases/

    offending = {
        str(path.relative_to(CASES_DIR.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in CATEGORY_APPS
        )
        for path in sources
    }

    assert {path: names for path, names in offending.items() if names} == {}


def test_the_import_walk_would_notice_a_category_import(tmp_path):
    source = tmp_path / "module.py"
    source.write_text(
        "import billing_inquiries.models\n"
        "from complaints import models\n"
        "from .local import thing\n"
        "import importlib\n"
        "importlib.import_module('portal_support.admin')\n",
        encoding="utf-8",
    )

    names = {name.split(".")[0] for name in imported_modules(source)}

    assert {"billing_inquiries", "complaints", "portal_support"} <= names
    assert "local" not in names
