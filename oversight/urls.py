"""The compliance officers' pages, under /compliance/ (docs/architecture/compliance-pages.md)."""

from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.home, name="home"),
    path("trail/", views.trail_search, name="trail"),
    path("trail/export.csv", views.trail_export, name="trail-export"),
    path("patients/", views.patient_lookup, name="patient-lookup"),
    path("patients/<int:pk>/access/", views.patient_access, name="patient-access"),
    path("break-glass/", views.break_glass_list, name="break-glass-list"),
    path("break-glass/<int:pk>/", views.break_glass_review, name="break-glass-review"),
    path("logins/", views.login_events, name="logins"),
    path("chain/", views.chain_status, name="chain"),
    path("chain/verify/", views.chain_verify, name="chain-verify"),
]
