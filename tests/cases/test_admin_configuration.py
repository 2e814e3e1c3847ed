"""The admin of routing and SLA configuration, and what the Case admin shows of them.

Routing rules, business calendars (with their weekly hours and holidays) and SLA policies are
edited directly in the admin; their model rules show up as form errors. The default routing rule
stays unconditional, active and undeletable. The Case admin shows an SLA column and filter, takes
a category kind's details as JSON at intake and shows them read-only afterwards.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing_inquiries.admin import BillingInquiryInline
from billing_inquiries.models import BillingInquiry
from cases import services
from cases.admin.records import CaseEventInline, sla_label
from cases.choices import Channel, Language, Priority, Status, Visibility
from cases.details import detail_for
from cases.models import (
    BusinessCalendar,
    BusinessHours,
    Case,
    CaseEvent,
    Category,
    Holiday,
    Patient,
    Queue,
    RoutingRule,
    SlaPolicy,
)
from tests.factories import CategoryFactory, QueueFactory, make_case, make_patient

pytestmark = pytest.mark.django_db

CONDITION_FIELDS = {"category", "kind", "language", "channel", "min_priority", "interpreter_needed"}


# --- helpers -------------------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["adminform"].form.errors.as_data()[field]]


def inline_errors(response) -> dict[str, list]:
    """The errors of every inline form on a re-rendered page, by inline model name."""
    return {
        inline.formset.model._meta.model_name: [form.errors for form in inline.formset.forms]
        for inline in response.context["inline_admin_formsets"]
    }


def formset(prefix: str, rows: list[dict[str, object]], initial: int = 0) -> dict[str, object]:
    data: dict[str, object] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


EMPTY_KINDS_FORMSET = {
    **formset("kinds", []),
    **formset("queueuserobjectpermission_set", []),
    **formset("queuegroupobjectpermission_set", []),
}


def queue_form_data(queue: Queue, **changes) -> dict[str, object]:
    """The Queue change form as a browser posts it: two inlines, languages and kinds."""
    languages = list(queue.languages.order_by("id"))
    data = {
        "name": queue.name,
        "slug": queue.slug,
        "description": queue.description,
        "active": "on" if queue.active else None,
        **formset(
            "languages",
            [{"id": item.pk, "queue": queue.pk, "language": item.language} for item in languages],
            initial=len(languages),
        ),
        **EMPTY_KINDS_FORMSET,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def calendar_form_data(*, hours=(), holidays=(), **fields) -> dict[str, object]:
    data = {"name": "Billing office", "time_zone": "America/New_York", **fields}
    data.update(formset("hours", list(hours)))
    data.update(formset("holidays", list(holidays)))
    return {name: value for name, value in data.items() if value is not None}


def policy_form_data(calendar: BusinessCalendar, **fields) -> dict[str, object]:
    data = {
        "name": "Billing standard",
        "category": "",
        "kind": "",
        "priority": "",
        "first_response_minutes": 60,
        "resolution_minutes": 480,
        "calendar": calendar.pk,
        "active": "on",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def rule_form_data(**fields) -> dict[str, object]:
    data = {
        "name": "Spanish billing",
        "order": 10,
        "active": "on",
        "category": "",
        "kind": "",
        "language": "",
        "channel": "",
        "min_priority": "",
        "interpreter_needed": "unknown",
        "target_queue": "",
        "set_priority": "",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def intake_data(patient: Patient, category: Category, **overrides) -> dict[str, object]:
    data = {
        "patient": patient.pk,
        "category": category.pk,
        "channel": Channel.VOICE,
        "subject": "Question about a statement",
        "description": "The patient asks about a charge on the March statement.",
        "priority": "",
        "language": "",
        "queue": "",
        "details": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def calendar(db):
    calendar = BusinessCalendar.objects.create(name="Weekdays", time_zone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(
            calendar=calendar,
            weekday=weekday,
            opens=datetime.time(9, 0),
            closes=datetime.time(17, 0),
        )
    Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 12, 25), name="Christmas")
    return calendar


@pytest.fixture
def policy(calendar, category):
    return SlaPolicy.objects.create(
        name="Statement questions",
        category=category,
        first_response_minutes=60,
        resolution_minutes=480,
        calendar=calendar,
    )


@pytest.fixture
def default_rule(db):
    """The migration's default rule (a transactional test elsewhere may have flushed it)."""
    rule, _ = RoutingRule.objects.get_or_create(
        is_default=True,
        defaults={"name": "Default: the category's queue", "order": 2**31 - 1, "active": True},
    )
    return rule


@pytest.fixture
def rule(category):
    return RoutingRule.objects.create(
        name="Urgent billing",
        order=5,
        category=category,
        min_priority=Priority.URGENT,
        target_queue=QueueFactory(name="Escalations", slug="escalations"),
        set_priority=Priority.URGENT,
    )


@pytest.fixture
def billing_category(queue):
    return CategoryFactory(
        name="Payment plan request", slug="payment-plan", kind="billing", default_queue=queue
    )


# --- 1. every configuration page answers for a superuser -----------------------------------------


@pytest.mark.parametrize("key", ["rule", "default_rule", "calendar", "policy"])
def test_superuser_gets_changelist_add_and_change_pages(admin_client, request, key):
    obj = request.getfixturevalue(key)
    model = type(obj)

    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert obj in changelist.context["cl"].result_list

    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == 200

    change = admin_client.get(admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    assert change.context["original"] == obj


def test_calendar_pages_show_hours_and_holidays_inlines(admin_client, calendar):
    for page in (
        admin_client.get(admin_url(BusinessCalendar, "add")),
        admin_client.get(admin_url(BusinessCalendar, "change", calendar.pk)),
    ):
        models = [inline.formset.model for inline in page.context["inline_admin_formsets"]]
        assert models == [BusinessHours, Holiday]

    hours, holidays = page.context["inline_admin_formsets"]
    assert len(hours.formset.initial_forms) == 5
    assert [form.instance.name for form in holidays.formset.initial_forms] == ["Christmas"]
    changelist = admin_client.get(admin_url(BusinessCalendar, "changelist"))
    (row,) = changelist.context["cl"].result_list
    assert (row.hours_total, row.holidays_total) == (5, 1)


def test_routing_rule_changelist_describes_the_conditions(admin_client, rule, default_rule):
    page = admin_client.get(admin_url(RoutingRule, "changelist"))

    assert list(page.context["cl"].result_list) == [rule, default_rule]  # the default runs last
    content = page.content.decode()
    assert "category Statement question; priority ≥ Urgent" in content
    assert "always" in content


def test_sla_policy_changelist_shows_the_scope(admin_client, policy, calendar):
    SlaPolicy.objects.create(
        name="Refills urgent",
        kind="refills",
        priority=Priority.URGENT,
        first_response_minutes=15,
        resolution_minutes=60,
        calendar=calendar,
    )
    SlaPolicy.objects.create(
        name="Anything", first_response_minutes=120, resolution_minutes=960, calendar=calendar
    )

    content = admin_client.get(admin_url(SlaPolicy, "changelist")).content.decode()

    assert "Statement question · any priority" in content
    assert "Prescription refills and medication · Urgent" in content
    assert "Any kind · any priority" in content


# --- 2. routing rules ----------------------------------------------------------------------------


def test_routing_rule_is_created_through_the_add_form_and_then_routes(
    admin_client, admin_user, category
):
    spanish = QueueFactory(name="Spanish billing", slug="spanish-billing", languages=["es"])

    response = admin_client.post(
        admin_url(RoutingRule, "add"),
        rule_form_data(
            kind=category.kind,
            language=Language.SPANISH,
            interpreter_needed="false",
            target_queue=spanish.pk,
            set_priority=Priority.HIGH,
        ),
    )

    assert response.status_code == 302
    rule = RoutingRule.objects.get(name="Spanish billing")
    assert (rule.kind, rule.language, rule.interpreter_needed) == (category.kind, "es", False)
    assert (rule.target_queue, rule.set_priority, rule.active) == (spanish, Priority.HIGH, True)
    assert rule.is_default is False
    assert rule.category is None

    patient = make_patient(actor=admin_user, preferred_language=Language.SPANISH)
    case = make_case(actor=admin_user, patient=patient, category=category)
    assert (case.queue, case.priority) == (spanish, Priority.HIGH)
    assert "Spanish billing" in case.events.get().body


def test_routing_rule_with_a_category_of_another_kind_is_refused(admin_client, category):
    response = admin_client.post(
        admin_url(RoutingRule, "add"), rule_form_data(category=category.pk, kind="billing")
    )

    assert response.status_code == 200
    assert "kind" in form_errors(response)
    assert not RoutingRule.objects.filter(name="Spanish billing").exists()


def test_active_routing_rule_with_an_inactive_target_queue_is_refused(admin_client):
    inactive = QueueFactory(active=False)

    response = admin_client.post(
        admin_url(RoutingRule, "add"), rule_form_data(target_queue=inactive.pk)
    )

    assert response.status_code == 200
    assert "target_queue" in form_errors(response)
    assert not RoutingRule.objects.filter(name="Spanish billing").exists()


def test_default_rule_change_page_shows_conditions_and_active_read_only(admin_client, default_rule):
    page = admin_client.get(admin_url(RoutingRule, "change", default_rule.pk))

    adminform = page.context["adminform"]
    assert set(adminform.form.fields) == {"name", "order", "target_queue", "set_priority"}
    assert {"active", "is_default", *CONDITION_FIELDS} <= set(adminform.readonly_fields)
    assert page.context["has_delete_permission"] is False
    assert b'class="deletelink"' not in page.content
    for name in ("active", *CONDITION_FIELDS):
        assert f'name="{name}"' not in page.content.decode()


def test_posting_conditions_to_the_default_rule_changes_nothing_of_them(
    admin_client, default_rule, queue
):
    response = admin_client.post(
        admin_url(RoutingRule, "change", default_rule.pk),
        rule_form_data(
            name=default_rule.name,
            order=default_rule.order,
            active=None,
            kind="billing",
            language=Language.SPANISH,
            channel=Channel.EMAIL,
            interpreter_needed="true",
        ),
    )

    assert response.status_code == 302
    default_rule.refresh_from_db()
    assert default_rule.active is True
    assert default_rule.is_default is True
    assert all(not default_rule._condition_set(name) for name in CONDITION_FIELDS)


def test_default_rule_cannot_be_deleted(admin_client, default_rule):
    url = admin_url(RoutingRule, "delete", default_rule.pk)

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    admin_client.post(
        admin_url(RoutingRule, "changelist"),
        {"action": "delete_selected", "_selected_action": [default_rule.pk], "post": "yes"},
    )

    assert RoutingRule.objects.filter(pk=default_rule.pk, is_default=True).exists()


def test_a_normal_rule_can_be_deleted(admin_client, rule, default_rule):
    url = admin_url(RoutingRule, "delete", rule.pk)

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert list(RoutingRule.objects.all()) == [default_rule]


def test_queue_targeted_by_an_active_rule_cannot_be_deactivated(admin_client, rule):
    queue = rule.target_queue
    assert not queue.categories.exists()  # only the rule uses it

    response = admin_client.post(
        admin_url(Queue, "change", queue.pk), queue_form_data(queue, active=None)
    )

    assert response.status_code == 200
    assert error_codes(response, "active") == ["queue_in_use"]
    queue.refresh_from_db()
    assert queue.active is True


def test_queue_targeted_only_by_an_inactive_rule_can_be_deactivated(admin_client, rule):
    rule.active = False
    rule.save()
    queue = rule.target_queue

    response = admin_client.post(
        admin_url(Queue, "change", queue.pk), queue_form_data(queue, active=None)
    )

    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.active is False


# --- 3. business calendars -----------------------------------------------------------------------


def test_calendar_is_created_with_hours_and_holidays(admin_client):
    response = admin_client.post(
        admin_url(BusinessCalendar, "add"),
        calendar_form_data(
            hours=[
                {"weekday": 0, "opens": "09:00", "closes": "12:00"},
                {"weekday": 0, "opens": "13:00", "closes": "17:00"},
                {"weekday": 5, "opens": "18:00", "closes": "00:00"},
            ],
            holidays=[{"date": "2026-07-04", "name": "Independence Day"}],
        ),
    )

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Billing office")
    assert [(h.weekday, h.opens, h.closes) for h in calendar.hours.all()] == [
        (0, datetime.time(9), datetime.time(12)),
        (0, datetime.time(13), datetime.time(17)),
        (5, datetime.time(18), datetime.time(0)),
    ]
    assert [(h.date, h.name) for h in calendar.holidays.all()] == [
        (datetime.date(2026, 7, 4), "Independence Day")
    ]


@pytest.mark.parametrize(
    ("opens", "closes"), [("17:00", "09:00"), ("09:00", "09:00"), ("00:30", "00:15")]
)
def test_hours_that_close_before_they_open_are_refused_on_the_inline(admin_client, opens, closes):
    response = admin_client.post(
        admin_url(BusinessCalendar, "add"),
        calendar_form_data(hours=[{"weekday": 2, "opens": opens, "closes": closes}]),
    )

    assert response.status_code == 200
    (hours_errors,) = inline_errors(response)["businesshours"]
    assert "closes" in hours_errors
    assert not BusinessCalendar.objects.exists()
    assert not BusinessHours.objects.exists()


def test_hours_closing_at_midnight_are_accepted_on_an_existing_calendar(admin_client, calendar):
    hours = list(calendar.hours.all())
    holidays = list(calendar.holidays.all())
    rows = [
        {
            "id": h.pk,
            "calendar": calendar.pk,
            "weekday": h.weekday,
            "opens": f"{h.opens:%H:%M}",
            "closes": f"{h.closes:%H:%M}",
        }
        for h in hours
    ]
    rows.append({"calendar": calendar.pk, "weekday": 6, "opens": "20:00", "closes": "00:00"})
    data = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        **formset("hours", rows, initial=len(hours)),
        **formset(
            "holidays",
            [
                {"id": h.pk, "calendar": calendar.pk, "date": h.date.isoformat(), "name": h.name}
                for h in holidays
            ],
            initial=len(holidays),
        ),
    }

    response = admin_client.post(admin_url(BusinessCalendar, "change", calendar.pk), data)

    assert response.status_code == 302
    sunday = calendar.hours.get(weekday=6)
    assert (sunday.opens, sunday.closes) == (datetime.time(20), datetime.time(0))
    assert calendar.hours.count() == 6


def test_calendar_with_an_unknown_time_zone_is_refused(admin_client):
    response = admin_client.post(
        admin_url(BusinessCalendar, "add"), calendar_form_data(time_zone="Mars/Olympus_Mons")
    )

    assert response.status_code == 200
    assert "time_zone" in form_errors(response)
    assert not BusinessCalendar.objects.exists()


# --- 4. SLA policies -----------------------------------------------------------------------------


def test_sla_policy_is_created_through_the_add_form(admin_client, calendar, billing_category):
    response = admin_client.post(
        admin_url(SlaPolicy, "add"),
        policy_form_data(
            calendar, category=billing_category.pk, kind="billing", priority=Priority.HIGH
        ),
    )

    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.category, policy.kind, policy.priority) == (
        billing_category,
        "billing",
        Priority.HIGH,
    )
    assert (policy.first_response_minutes, policy.resolution_minutes) == (60, 480)


def test_sla_policy_with_resolution_before_first_response_is_refused(admin_client, calendar):
    response = admin_client.post(
        admin_url(SlaPolicy, "add"),
        policy_form_data(calendar, first_response_minutes=120, resolution_minutes=60),
    )

    assert response.status_code == 200
    assert "resolution_minutes" in form_errors(response)
    assert not SlaPolicy.objects.exists()


def test_sla_policy_whose_category_and_kind_disagree_is_refused(
    admin_client, calendar, billing_category
):
    response = admin_client.post(
        admin_url(SlaPolicy, "add"),
        policy_form_data(calendar, category=billing_category.pk, kind="refills"),
    )

    assert response.status_code == 200
    assert "kind" in form_errors(response)
    assert not SlaPolicy.objects.exists()


# --- 5. the Case admin: SLA column and filter ----------------------------------------------------


@pytest.fixture
def sla_cases(admin_user, queue):
    """One case in each SLA state, under a 24/7 calendar: 60 minutes to the first response, four
    hours to the resolution. Built through the services on a travelling clock."""
    always = BusinessCalendar.objects.create(name="Always", always_open=True)
    covered = CategoryFactory(name="Covered", slug="covered", default_queue=queue)
    uncovered = CategoryFactory(name="Uncovered", slug="uncovered", default_queue=queue)
    SlaPolicy.objects.create(
        name="Covered standard",
        category=covered,
        first_response_minutes=60,
        resolution_minutes=240,
        calendar=always,
    )
    now = timezone.now()

    def opened(minutes_ago: int, *moves: tuple[int, str], category=covered) -> Case:
        with time_machine.travel(now - datetime.timedelta(minutes=minutes_ago), tick=False):
            case = make_case(actor=admin_user, category=category, subject="Statement")
        for at, status in moves:
            with time_machine.travel(now - datetime.timedelta(minutes=at), tick=False):
                case = services.case_transition(actor=admin_user, case=case, to_status=status)
        return case

    cases = {
        "running": opened(0),
        "responded": opened(0),
        "breached": opened(180),
        "paused": opened(20, (15, Status.IN_PROGRESS), (10, Status.WAITING_ON_PATIENT)),
        "paused_breached": opened(
            180, (70, Status.IN_PROGRESS), (60, Status.WAITING_ON_THIRD_PARTY)
        ),
        "met": opened(30, (20, Status.RESOLVED)),
        "none": opened(0, category=uncovered),
    }
    services.case_add_note(
        actor=admin_user,
        case=cases["responded"],
        body="We are on it.",
        visibility=Visibility.PATIENT,
    )
    for case in cases.values():
        case.refresh_from_db()
    return cases


def due_label(due: datetime.datetime) -> str:
    return f"Due {timezone.localtime(due):%b %d %H:%M}"


def expected_labels(cases: dict[str, Case]) -> dict[str, str]:
    return {
        "running": due_label(cases["running"].first_response_due_at),
        "responded": due_label(cases["responded"].resolution_due_at),
        "breached": "Breached",
        "paused": "Paused",
        "paused_breached": "Breached",
        "met": "Met",
        "none": "—",
    }


def test_sla_states_are_what_the_label_says(sla_cases):
    annotated = {case.pk: case for case in Case.objects.with_sla_state()}

    labels = {name: sla_label(annotated[case.pk]) for name, case in sla_cases.items()}

    assert labels == expected_labels(sla_cases)
    assert sla_cases["responded"].first_response_at is not None
    assert sla_cases["paused"].sla_paused_at is not None
    assert sla_cases["none"].sla_policy is None


SLA_NOT_WIRED = (
    "cases/admin/records.py: sla_label() and SlaStateFilter exist but CaseAdmin uses neither — "
    "no SLA column in list_display, SlaStateFilter not in list_filter, and get_queryset() does not "
    "annotate with_sla_state(), which the label and the filter need "
    "(docs/architecture/routing-and-sla.md says the Case admin shows an SLA column and filter)."
)
SLA_STATE_NULL = (
    "cases/models/case.py CaseQuerySet.with_sla_state(): the breach annotations are SQL "
    "three-valued — NULL, not False, for a target that is neither met nor overdue "
    "(first_response_at IS NULL makes `first_response_at > due` NULL, and NULL OR FALSE is NULL) "
    "— so `.exclude(Q(first_response_breached=True) | Q(resolution_breached=True))` in "
    "SlaStateFilter drops every case still running or paused within its targets."
)


def test_sla_state_annotations_are_true_or_false_never_null(sla_cases):
    annotated = Case.objects.with_sla_state()
    breached = Q(first_response_breached=True) | Q(resolution_breached=True)

    states = {
        case.pk: (case.first_response_breached, case.resolution_breached) for case in annotated
    }
    not_breached = set(annotated.exclude(breached).values_list("pk", flat=True))

    assert all(value in (True, False) for pair in states.values() for value in pair), states
    names = {"running", "responded", "paused", "met", "none"}
    assert not_breached == {sla_cases[name].pk for name in names}


SLA_WORDS = re.compile(r"Breached|Paused|Met|—|Due [A-Z][a-z]{2} \d{2} \d{2}:\d{2}")


def result_rows(page) -> dict[str, str]:
    """The changelist's result rows as HTML, by case reference."""
    body = page.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in body.split("<tr")[1:]:
        match = re.search(r"PC-\d{4}-\d{6}", row)
        if match:
            rows[match.group()] = row
    return rows


def test_case_changelist_shows_the_sla_column(admin_client, sla_cases):
    page = admin_client.get(admin_url(Case, "changelist"))

    assert page.status_code == 200
    rows = result_rows(page)
    shown = {name: SLA_WORDS.findall(rows[case.reference]) for name, case in sla_cases.items()}
    assert shown == {name: [label] for name, label in expected_labels(sla_cases).items()}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("breached", {"breached", "paused_breached"}),
        ("paused", {"paused"}),
        ("running", {"running", "responded"}),
    ],
)
def test_case_changelist_sla_filter(admin_client, sla_cases, value, expected):
    page = admin_client.get(admin_url(Case, "changelist"), {"sla": value})

    assert page.status_code == 200
    names = {case.pk: name for name, case in sla_cases.items()}
    assert {names[case.pk] for case in page.context["cl"].result_list} == expected


# --- 6. the Case admin: details at intake, read-only afterwards ----------------------------------


def nothing_created() -> bool:
    return not (
        Case.objects.exists() or CaseEvent.objects.exists() or BillingInquiry.objects.exists()
    )


def test_case_add_form_takes_billing_details_as_json(admin_client, admin_user, billing_category):
    patient = make_patient(actor=admin_user)

    response = admin_client.post(
        admin_url(Case, "add"),
        intake_data(
            patient,
            billing_category,
            details=json.dumps({"inquiry_type": "payment_plan", "amount_in_question": "120.50"}),
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    detail = detail_for(case)
    assert isinstance(detail, BillingInquiry)
    assert detail.inquiry_type == "payment_plan"
    assert detail.payment_plan_requested is True  # the model's clean() ran
    assert str(detail.amount_in_question) == "120.50"


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ('{"inquiry_type": "bogus"}', "details.inquiry_type"),
        ('{"inquiry_type": "refund", "plan_name": "PPO"}', "details.plan_name"),
        ('{"inquiry_type": "refund", "account_number": "4111111111111111"}', "details.account"),
        ("{}", "details.inquiry_type"),
        ("", "details.inquiry_type"),
        ('["payment_plan"]', "JSON object"),
        ('"payment_plan"', "JSON object"),
        ("42", "JSON object"),
        ('{"inquiry_type": ', ""),
    ],
)
def test_case_add_form_refuses_invalid_details_and_creates_nothing(
    admin_client, admin_user, billing_category, details, expected
):
    patient = make_patient(actor=admin_user)

    response = admin_client.post(
        admin_url(Case, "add"), intake_data(patient, billing_category, details=details)
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert list(errors) == ["details"]
    assert expected in " ".join(errors["details"])
    assert nothing_created()


def test_case_add_form_refuses_details_for_a_kind_without_any(admin_client, admin_user, category):
    patient = make_patient(actor=admin_user)

    response = admin_client.post(
        admin_url(Case, "add"),
        intake_data(patient, category, details='{"inquiry_type": "payment_plan"}'),
    )

    assert response.status_code == 200
    assert "take no details" in " ".join(form_errors(response)["details"])
    assert nothing_created()


def test_billing_case_change_page_shows_the_details_inline_read_only(
    admin_client, admin_user, billing_category
):
    case = make_case(
        actor=admin_user,
        category=billing_category,
        details={"inquiry_type": "payment_plan", "account_number": "ACCT-77"},
    )

    page = admin_client.get(admin_url(Case, "change", case.pk))

    assert page.status_code == 200
    billing, timeline = page.context["inline_admin_formsets"]
    assert isinstance(timeline.opts, CaseEventInline)
    assert isinstance(billing.opts, BillingInquiryInline)
    assert billing.formset.model is BillingInquiry
    assert [form.instance for form in billing.formset.forms] == [detail_for(case)]
    assert billing.has_add_permission is False
    assert billing.has_change_permission is False
    assert billing.formset.can_delete is False
    assert 'name="billing_inquiries_detail-0-inquiry_type"' not in page.content.decode()
    content = page.content.decode()
    assert "Payment plan" in content
    assert "ACCT-77" in content


# --- 7. configuration changelists do not grow an N+1 ---------------------------------------------


class Growth:
    """Tops the rows of a changelist up to an exact total, varying the related rows it shows."""

    def __init__(self):
        self.calendars = [
            BusinessCalendar.objects.create(name=f"Calendar base {n}", always_open=bool(n))
            for n in range(2)
        ]

    def routingrule(self, total: int) -> str:
        for n in range(RoutingRule.objects.count(), total):
            RoutingRule.objects.create(
                name=f"Rule {n}",
                order=n,
                category=CategoryFactory() if n % 3 == 0 else None,
                kind="billing" if n % 3 == 1 else "",
                language=Language.SPANISH if n % 2 else "",
                min_priority=Priority.HIGH if n % 4 == 0 else None,
                interpreter_needed=bool(n % 2) if n % 5 == 0 else None,
                target_queue=QueueFactory() if n % 2 else None,
                set_priority=Priority.URGENT if n % 3 == 2 else None,
            )
        return admin_url(RoutingRule, "changelist")

    def businesscalendar(self, total: int) -> str:
        for n in range(BusinessCalendar.objects.count(), total):
            calendar = BusinessCalendar.objects.create(name=f"Calendar {n}")
            for weekday in range(n % 6):
                BusinessHours.objects.create(
                    calendar=calendar,
                    weekday=weekday,
                    opens=datetime.time(8),
                    closes=datetime.time(16),
                )
            if n % 2:
                Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 1, 1), name="NY")
        return admin_url(BusinessCalendar, "changelist")

    def slapolicy(self, total: int) -> str:
        for n in range(SlaPolicy.objects.count(), total):
            SlaPolicy.objects.create(
                name=f"Policy {n}",
                category=CategoryFactory() if n % 3 == 0 else None,
                kind="refills" if n % 3 == 1 else "",
                priority=Priority.URGENT if n % 2 else None,
                first_response_minutes=30 + n,
                resolution_minutes=300 + n,
                calendar=self.calendars[n % 2]
                if n % 4
                else BusinessCalendar.objects.create(name=f"Own calendar {n}"),
            )
        return admin_url(SlaPolicy, "changelist")


def count_queries(client, url: str, expected_rows: int) -> int:
    client.get(url)  # warm per-process caches (content types) so only the page itself counts
    with CaptureQueriesContext(connection) as context:
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == expected_rows
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["routingrule", "businesscalendar", "slapolicy"])
def test_configuration_changelists_issue_a_constant_number_of_queries(admin_client, page):
    grow = getattr(Growth(), page)

    with_few = count_queries(admin_client, grow(3), 3)
    with_many = count_queries(admin_client, grow(30), 30)

    assert with_few == with_many


# --- queue membership is managed in the Queue admin ----------------------------------------------


def test_a_member_added_in_the_queue_admin_works_the_queue(admin_client, actor, category):
    from django.contrib.auth.models import Permission

    from accounts.roles import Role, ensure_role_groups
    from tests.factories import UserFactory

    queue = category.default_queue
    case = make_case(actor=actor, category=category)
    newcomer = UserFactory(username="new-billing-agent")
    newcomer.groups.add(ensure_role_groups()[Role.AGENT])
    assert not Case.objects.restrict(newcomer, "work").filter(pk=case.pk).exists()
    work = Permission.objects.get(content_type__app_label="cases", codename="work_queue")

    response = admin_client.post(
        admin_url(Queue, "change", queue.pk),
        {
            **queue_form_data(queue),
            **formset(
                "queueuserobjectpermission_set", [{"user": newcomer.pk, "permission": work.pk}]
            ),
        },
    )

    assert response.status_code == 302
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert Case.objects.restrict(newcomer, "work").filter(pk=case.pk).exists()
    # and only the two queue permissions are offered in that inline
    page = admin_client.get(admin_url(Queue, "change", queue.pk))
    members = next(
        f for f in page.context["inline_admin_formsets"] if f.formset.prefix.startswith("queueuser")
    )
    offered = set(
        members.formset.empty_form.fields["permission"].queryset.values_list("codename", flat=True)
    )
    assert offered == {"work_queue", "supervise_queue"}
