"""Seed the regulatory periods of complaints (calendar days; administrators may change them).

* Formal grievance: acknowledge within 5 days (42 CFR 482.13 sets no acknowledgement period of its
  own and state rules vary), respond within 7 days (CMS interpretive guidance for
  42 CFR 482.13(a)(2): about 7 days is an appropriate time frame for the written response).
* Informal complaint: acknowledge within 2 days, respond within 30 days.

The values are copied here, not imported from complaints.models.DEFAULT_PERIODS, so that this
migration keeps meaning what it meant when it was written. Existing rows are left alone.
"""

from django.db import migrations

SEED = {
    "formal_grievance": (5, 7),
    "informal_complaint": (2, 30),
}


def seed(apps, schema_editor):
    GrievancePeriod = apps.get_model("complaints", "GrievancePeriod")
    for applies_to, (acknowledgement_days, response_days) in SEED.items():
        GrievancePeriod.objects.get_or_create(
            applies_to=applies_to,
            defaults={
                "acknowledgement_days": acknowledgement_days,
                "response_days": response_days,
            },
        )


def unseed(apps, schema_editor):
    GrievancePeriod = apps.get_model("complaints", "GrievancePeriod")
    for applies_to, (acknowledgement_days, response_days) in SEED.items():
        GrievancePeriod.objects.filter(
            applies_to=applies_to,
            acknowledgement_days=acknowledgement_days,
            response_days=response_days,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
