from django.contrib.admin.apps import AdminConfig


class PatientCareAdminConfig(AdminConfig):
    default_site = "patientcare.admin.PatientCareAdminSite"

    def ready(self) -> None:
        super().ready()
        from patientcare import checks  # noqa: F401  (registers the project's deploy checks)
