from django.contrib.admin.apps import AdminConfig


class PatientCareAdminConfig(AdminConfig):
    default_site = "patientcare.admin.PatientCareAdminSite"
