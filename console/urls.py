"""The agents' console pages (docs/architecture/live-queue.md, "Pages")."""

from django.urls import path, re_path

from console import views
from console.views import changes

app_name = "console"

# A case reference as it appears in URLs (PC-2026-000123); anything else is no case (and never
# reaches the database: a NUL byte in a query parameter is an error on PostgreSQL).
CASE = r"^cases/(?P<reference>[A-Za-z0-9][A-Za-z0-9-]{0,31})/"
# An escalation's id: digits only, at most 18 (fits a 64-bit integer; a longer number is no
# escalation rather than an overflow in the database driver).
ESCALATION = r"^escalations/(?P<escalation_id>[0-9]{1,18})/"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("claim/", views.claim, name="claim"),
    path("claim-next/", views.claim_next, name="claim-next"),
    path("mine/", views.mine, name="mine"),
    path("supervisor/", views.supervisor, name="supervisor"),
    re_path(CASE + r"$", views.case_page, name="case"),
    re_path(CASE + r"row/$", views.case_row, name="case-row"),
    re_path(CASE + r"claim/$", views.case_claim, name="case-claim"),
    re_path(CASE + r"release/$", views.case_release, name="case-release"),
    re_path(CASE + r"reply/$", views.case_reply, name="case-reply"),
    re_path(CASE + r"note/$", views.case_note, name="case-note"),
    re_path(CASE + r"transition/$", views.case_transition, name="case-transition"),
    re_path(CASE + r"assign/$", views.case_assign, name="case-assign"),
    re_path(CASE + r"banner/$", views.case_banner, name="case-banner"),
    re_path(CASE + r"escalate/$", views.case_escalate, name="case-escalate"),
    # Issue 15's case changes (console.views.changes)
    re_path(CASE + r"sensitivity/$", changes.case_sensitivity, name="case-sensitivity"),
    re_path(
        CASE + r"patient-sensitivity/$",
        changes.case_patient_sensitivity,
        name="case-patient-sensitivity",
    ),
    re_path(CASE + r"move/$", changes.case_move, name="case-move"),
    re_path(CASE + r"category/$", changes.case_category, name="case-category"),
    re_path(CASE + r"priority/$", changes.case_priority, name="case-priority"),
    # complaints (console.views.complaints)
    re_path(
        CASE + r"complaint/acknowledge/$",
        views.case_complaint_acknowledge,
        name="case-complaint-acknowledge",
    ),
    re_path(
        CASE + r"complaint/respond/$", views.case_complaint_respond, name="case-complaint-respond"
    ),
    path("complaints/alerts/", views.complaint_alerts, name="complaint-alerts"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/review/", views.escalation_review_page, name="escalations-review"),
    re_path(
        ESCALATION + r"acknowledge/$", views.escalation_acknowledge, name="escalation-acknowledge"
    ),
    re_path(ESCALATION + r"resolve/$", views.escalation_resolve, name="escalation-resolve"),
    re_path(ESCALATION + r"review/$", views.escalation_review, name="escalation-review"),
]
