"""Database backends: Django's own, plus the audit trail's sealing hooks (compliance.sealing).
``patientcare/settings.py`` maps the engine of ``DATABASE_URL`` to these."""
