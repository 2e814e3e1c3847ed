"""What the core record modules share: the longest free text a case or event accepts, the
primary key of a row-version table, and the "value is one of the choices" check condition."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

# Longest free text (a description, reply or note) a case accepts.
MAX_TEXT_LENGTH = 20_000


def history_id_field() -> models.BigAutoField:
    """The primary key of a row-version table (django-simple-history): 64-bit like every other
    key here (DEFAULT_AUTO_FIELD), since every save of a tracked row adds one version."""
    return models.BigAutoField(primary_key=True)


def _in(field: str, choices: type[models.Choices]) -> Q:
    return Q(**{f"{field}__in": choices.values})
