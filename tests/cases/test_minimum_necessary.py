"""Minimum necessary per field: the same row shows different fields to different roles, enforced
in the serializers and the admin pages (server-side: a hidden field is not in the response)."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from accounts.roles import Role, ensure_role_groups
from cases import minimum_necessary as mn
from cases.choices import Visibility
from cases.details import detail_for
from cases.models import CaseEvent
from cases.serializers import CaseEventSerializer, CaseSerializer, PatientSerializer
from cases.services import case_add_note
from insurance_coverage.serializers import InsuranceInquirySerializer
from tests.factories import CategoryFactory, PartnerFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(db):
    return ensure_role_groups()


def _user(groups, role, name=None, **extra):
    user = UserFactory(username=name or f"mn-{role.lower().replace(' ', '-')}", **extra)
    user.groups.add(groups[role])
    return user


@pytest.fixture
def insurance_case(actor):
    category = CategoryFactory(kind="insurance")
    return make_case(
        actor=actor,
        category=category,
        details={
            "inquiry_type": "claim_status",
            "member_id": "MBR-99887766",
            "group_number": "GRP-12345",
            "claim_number": "CLM-55554444",
        },
    )


def test_field_view_merges_roles_to_the_most_open(groups):
    portal = _user(groups, Role.PORTAL_SUPPORT_AGENT)
    label = "insurance_coverage.insuranceinquiry"
    assert mn.field_view(portal, label, "member_id") == mn.LAST4
    assert mn.field_view(portal, label, "payer") == mn.FULL
    portal.groups.add(groups[Role.AGENT])
    portal = type(portal).objects.get(pk=portal.pk)  # drop the cached roles
    assert mn.field_view(portal, label, "member_id") == mn.FULL


def test_nobody_without_a_role_sees_anything(actor):
    assert mn.field_view(actor, mn.PATIENT, "family_name") == mn.HIDDEN
    assert mn.field_view(None, mn.CASE, "reference") == mn.HIDDEN


def test_mask_last4():
    assert mn.mask_last4("MBR-99887766") == "••••7766"
    assert mn.mask_last4("123") == "••••"
    assert mn.mask_last4("") == "" and mn.mask_last4(None) == ""


def test_portal_support_agent_sees_only_the_last_four_of_member_id(groups, insurance_case):
    detail = detail_for(insurance_case)
    agent = _user(groups, Role.AGENT)
    portal = _user(groups, Role.PORTAL_SUPPORT_AGENT)

    full = InsuranceInquirySerializer(detail, context={"user": agent}).data
    masked = InsuranceInquirySerializer(detail, context={"user": portal}).data

    assert full["member_id"] == "MBR-99887766"
    assert masked["member_id"] == "••••7766"
    assert masked["group_number"] == "••••2345"
    assert masked["claim_number"] == "••••4444"
    assert masked["inquiry_type"] == "claim_status"
    assert "MBR-99887766" not in str(masked)


def test_partners_get_no_contact_data_no_routing_and_no_internal_notes(groups, actor):
    partner = PartnerFactory()
    account = UserFactory(username="svc-partner", kind="service", organisation=partner)
    case = make_case(actor=actor, source_organisation=partner, external_reference="EXT-9")
    case_add_note(actor=actor, case=case, body="Internal: check history", visibility="internal")
    case_add_note(actor=actor, case=case, body="We are on it.", visibility=Visibility.PATIENT)

    patient = PatientSerializer(case.patient, context={"user": account}).data
    assert "family_name" in patient and "phone" not in patient and "email" not in patient
    shown = CaseSerializer(case, context={"user": account}).data
    assert shown["reference"] == case.reference and shown["external_reference"] == "EXT-9"
    assert not {"queue", "assigned_to", "sensitivity", "resolution_due_at"} & set(shown)
    events = CaseEvent.objects.restrict(account, "view").filter(case=case)
    bodies = [CaseEventSerializer(e, context={"user": account}).data for e in events]
    assert [b["body"] for b in bodies] == ["We are on it."]
    assert all("actor" not in b for b in bodies)


def test_compliance_sees_everything(groups, insurance_case):
    compliance = _user(groups, Role.COMPLIANCE_OFFICER)
    data = CaseSerializer(insurance_case, context={"user": compliance}).data
    assert set(data) == set(CaseSerializer.Meta.fields)


def test_a_superuser_sees_what_its_roles_see_and_nothing_without_one(groups, insurance_case):
    """Issue 17: being a superuser is no way around minimum necessary."""
    root = UserFactory(username="mn-root", is_superuser=True)
    assert CaseSerializer(insurance_case, context={"user": root}).data == {}
    for field in ("mrn", "family_name", "phone"):
        assert mn.field_view(root, mn.PATIENT, field) == mn.HIDDEN

    portal_root = _user(groups, Role.PORTAL_SUPPORT_AGENT, name="mn-portal-root", is_superuser=True)
    label = "insurance_coverage.insuranceinquiry"
    assert mn.field_view(portal_root, label, "member_id") == mn.LAST4
    assert mn.field_view(portal_root, label, "member_id") == mn.field_view(
        _user(groups, Role.PORTAL_SUPPORT_AGENT), label, "member_id"
    )


def test_admin_masks_for_the_portal_support_agent(client, groups, insurance_case):
    portal = _user(groups, Role.PORTAL_SUPPORT_AGENT, is_staff=True)
    assign_perm("cases.work_queue", portal, insurance_case.queue)
    client.force_login(portal)

    page = client.get(reverse("admin:cases_case_change", args=[insurance_case.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "••••7766" in html
    assert "MBR-99887766" not in html
    assert "GRP-12345" not in html


def test_admin_hides_patient_contact_from_administrators(client, groups, actor):
    administrator = _user(groups, Role.ADMINISTRATOR, is_staff=True)
    case = make_case(actor=actor)
    assign_perm("cases.work_queue", administrator, case.queue)  # sees the row at all
    client.force_login(administrator)

    page = client.get(reverse("admin:cases_patient_change", args=[case.patient.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert case.patient.family_name in html
    assert case.patient.email not in html
    assert str(case.patient.phone) not in html
    assert case.patient.mrn not in html and mn.mask_last4(case.patient.mrn) in html
