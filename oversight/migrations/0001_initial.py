"""Break-the-glass moved here from the audit kernel (``compliance``) with its table, rows and
name unchanged: the model is created in the migration state only. Its permissions (and so every
group and user holding them) move to this app's content type; the kernel's old content type row
stays, because the audit entries written before the move point at it and their hashes cover its
label (docs/architecture/audit.md)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label=source, model="breakglassaccess").first()
    if old is None:  # a new database: the permissions are created after migrate, here
        return
    new, _ = ContentType.objects.get_or_create(app_label=target, model="breakglassaccess")
    Permission.objects.filter(content_type=old).update(content_type=new)


def move_permissions(apps, schema_editor):
    _move(apps, "compliance", "oversight")


def move_permissions_back(apps, schema_editor):
    _move(apps, "oversight", "compliance")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0014_patient_birth_date_range"),
        ("compliance", "0008_audit_sealer"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BreakGlassAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.TextField(max_length=2000)),
                        ("granted_at", models.DateTimeField()),
                        ("expires_at", models.DateTimeField()),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "review_outcome",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("appropriate", "Appropriate"),
                                    ("inappropriate", "Inappropriate: follow up"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("review_notes", models.TextField(blank=True, max_length=4000)),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="break_glass_accesses",
                                to="cases.case",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="break_glass_reviews",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="break_glass_accesses",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "break-the-glass access",
                        "verbose_name_plural": "break-the-glass accesses",
                        "db_table": "compliance_breakglassaccess",
                        "ordering": ["-granted_at", "-id"],
                        "permissions": [
                            ("review_breakglassaccess", "Review break-the-glass accesses")
                        ],
                        "indexes": [
                            models.Index(
                                fields=["reviewed_at", "-granted_at"], name="btg_review_queue_idx"
                            ),
                            models.Index(fields=["user", "-granted_at"], name="btg_user_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("expires_at__gt", models.F("granted_at"))),
                                name="btg_expires_later",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("review_outcome", ""),
                                        ("reviewed_at__isnull", True),
                                        ("reviewed_by__isnull", True),
                                    ),
                                    models.Q(
                                        ("reviewed_at__isnull", False),
                                        ("reviewed_by__isnull", False),
                                        ("review_outcome__in", ["appropriate", "inappropriate"]),
                                    ),
                                    _connector="OR",
                                ),
                                name="btg_review_complete_or_absent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("reason", ""), _negated=True),
                                name="btg_reason_required",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],  # the table compliance_breakglassaccess stays as it is
        ),
        migrations.RunPython(move_permissions, move_permissions_back),
    ]
