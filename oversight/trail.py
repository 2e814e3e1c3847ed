"""Searching the audit trail (the compliance pages and their CSV export).

A search filters by patient (MRN), user (username), case (reference), action and a date range,
newest first, ``(timestamp, id)`` descending. Each filter has an index that starts with
it and goes on in that order (``AuditEntry.Meta.indexes``), so the first page of any search reads
only the rows it shows; pages go on by keyset (the last row's timestamp and id), never
by OFFSET, and nothing counts the whole trail. bench/audit_trail.py shows the plans on 1,000,000
entries.

Links the pages make name a patient or a case by its id (``patient_id``, ``case_id``), never by
MRN: an MRN is PHI and stays out of the URLs the application writes itself.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Patient
from compliance.models import AuditEntry

PAGE_SIZE = 50
MAX_RANGE_DAYS = 7 * 366  # a search window larger than the retention period is a typo
# Dates outside these are typos, and would overflow datetime arithmetic near year 1 or 9999.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9998, 12, 31)
MAX_ID = 2**63 - 1  # ids and chain indexes are 64-bit: larger numbers overflow the database


class TrailSearchForm(forms.Form):
    patient = forms.CharField(
        label="Patient MRN", required=False, max_length=64, help_text="Exact medical record number"
    )
    user = forms.CharField(label="User", required=False, max_length=150, help_text="Username")
    case = forms.CharField(
        label="Case reference", required=False, max_length=32, help_text="e.g. PC-2026-000123"
    )
    action = forms.TypedChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *AuditEntry.Action.choices],
        coerce=int,
        empty_value=None,
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cursor = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)
    # A patient or case named by id, by the links of the compliance pages (no MRN in URLs).
    patient_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )
    case_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )

    FILTERS = ("patient", "patient_id", "user", "case", "case_id", "action", "date_from", "date_to")

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer

    def clean_patient(self) -> int | None:

        mrn = self.cleaned_data["patient"].strip()
        if not mrn:
            return None
        found = (
            Patient.objects.restrict(self.viewer, "view")
            .filter(mrn=mrn)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise forms.ValidationError("No patient has this MRN.", code="not_found")
        return found

    def clean_user(self) -> int | None:

        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        found = User.objects.filter(username=username).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError("No user has this username.", code="not_found")
        return found

    def clean_case(self) -> int | None:

        reference = self.cleaned_data["case"].strip().upper()
        if not reference:
            return None
        found = (
            Case.objects.restrict(self.viewer, "view")
            .filter(reference=reference)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            raise forms.ValidationError("No case has this reference.", code="not_found")
        return found

    def clean_patient_id(self) -> int | None:

        pk = self.cleaned_data["patient_id"]
        if pk is None:
            return None
        if not Patient.objects.restrict(self.viewer, "view").filter(pk=pk).exists():
            raise forms.ValidationError("The linked patient was not found.", code="not_found")
        return pk

    def clean_case_id(self) -> int | None:

        pk = self.cleaned_data["case_id"]
        if pk is None:
            return None
        if not Case.objects.restrict(self.viewer, "view").filter(pk=pk).exists():
            raise forms.ValidationError("The linked case was not found.", code="not_found")
        return pk

    def clean_cursor(self) -> tuple[datetime, int] | None:
        raw = self.cleaned_data["cursor"].strip()
        if not raw:
            return None
        try:
            stamp, index = raw.rsplit("_", 1)
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is None:
                raise ValueError
            moment, index = moment.astimezone(UTC), int(index)
            if not 0 <= index <= MAX_ID:
                raise ValueError
            return moment, index
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                "This page link is damaged: start the search again.", code="invalid"
            ) from None

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data[name]
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}.",
                code="out_of_range",
            )
        return day

    def clean_date_from(self) -> date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> date | None:
        return self._clean_day("date_to")

    def _merge_linked(self, data: dict, name: str, linked: str, what: str) -> None:
        """The id from a link and the typed identifier must agree; either one filters."""
        pk = data.get(linked)
        if pk is None:
            return
        if data.get(name) is not None and data[name] != pk:
            self.add_error(
                name,
                forms.ValidationError(
                    f"This is not the {what} of the link you followed: clear one of them.",
                    code="conflict",
                ),
            )
        elif name not in self.errors:
            data[name] = pk

    def clean(self):
        data = super().clean()
        self._merge_linked(data, "patient", "patient_id", "patient")
        self._merge_linked(data, "case", "case_id", "case")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error(
                    "date_to",
                    forms.ValidationError(
                        "The end date is before the start date.", code="invalid_range"
                    ),
                )
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error(
                    "date_to",
                    forms.ValidationError(
                        f"Search at most {MAX_RANGE_DAYS} days at a time.", code="range_too_long"
                    ),
                )
        return data

    # -- what the form asked for ---------------------------------------------------------------

    def filters(self) -> dict:
        """The filters as asked (valid ones only), for the access log of the search itself."""
        data = self.cleaned_data
        shown = {}
        for name in self.FILTERS:
            raw = str(self.data.get(name, "")).strip()
            if raw and data.get(name) not in (None, ""):
                shown[name] = raw[:100]
        return shown

    def subject(self) -> tuple[int | None, int | None]:
        """(patient pk, case pk) the search is about, for its access-log entry."""
        data = getattr(self, "cleaned_data", {})
        return data.get("patient"), data.get("case")

    def is_empty(self) -> bool:
        return not self.filters()


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(data: dict) -> QuerySet[AuditEntry]:
    """The entries matching a cleaned TrailSearchForm, newest first (without the cursor)."""
    entries = AuditEntry.objects.all()
    if data.get("patient") is not None:
        entries = entries.filter(patient_pk=data["patient"])
    if data.get("case") is not None:
        entries = entries.filter(case_pk=data["case"])
    if data.get("user") is not None:
        entries = entries.filter(actor_id=data["user"])
    if data.get("action") is not None:
        entries = entries.filter(action=data["action"])
    if data.get("date_from"):
        entries = entries.filter(timestamp__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        entries = entries.filter(timestamp__lt=_day_start(data["date_to"] + timedelta(days=1)))
    return entries.order_by("-timestamp", "-id")


def encode_cursor(entry: AuditEntry) -> str:
    return f"{entry.timestamp.astimezone(UTC).isoformat()}_{entry.pk}"


@dataclass
class Page:
    entries: list[AuditEntry]
    next_cursor: str | None


def _newest_first(
    entries: QuerySet[AuditEntry], *, size: int, after: tuple[datetime, int] | None = None
) -> QuerySet[AuditEntry]:
    """The ``size`` entries of a search after the keyset cursor ``after``, newest first.

    The ids of those entries come first, from a subquery that only reads the filter's own index
    (each index is (filter, timestamp, id): an index-only scan), then the rows by id. Asked for
    in one query, ``ORDER BY timestamp DESC LIMIT n`` lets
    PostgreSQL walk the whole trail by time and filter, for a filter that matches many entries (a
    busy user): fast while they are recent, a scan of the trail when they are all old
    (bench/audit_trail.py: a busy user who left, 0.5 s at 1,000,000 entries)."""
    if after is not None:
        moment, index = after
        # "(timestamp, id) before the cursor", written so that the plain
        # ``timestamp <= moment`` is an index condition: the scan starts at the cursor instead of
        # reading (and discarding) every newer entry.
        entries = entries.filter(timestamp__lte=moment).filter(
            Q(timestamp__lt=moment) | Q(id__lt=index)
        )
    keys = entries.order_by("-timestamp", "-id").values("id")[:size]
    return (
        AuditEntry.objects.filter(id__in=keys)
        .select_related("actor", "content_type", "seal")
        .order_by("-timestamp", "-id")
    )


def _all_newest_first(entries: QuerySet[AuditEntry], *, chunk: int = 2000) -> Iterator[AuditEntry]:
    """Every entry of a search, newest first, a keyset chunk at a time: no server-side cursor (in
    autocommit Django declares it WITH HOLD, and PostgreSQL runs the whole query before the first
    row), no long transaction, constant memory."""
    after = None
    while True:
        count = 0
        for entry in _newest_first(entries, size=chunk, after=after).iterator(chunk_size=chunk):
            count += 1
            after = (entry.timestamp, entry.pk)
            yield entry
        if count < chunk:
            return


def page(data: dict, *, size: int = PAGE_SIZE) -> Page:
    """One page of a search: ``size`` entries after the cursor, and the next page's cursor."""
    rows = list(_newest_first(search(data), size=size + 1, after=data.get("cursor")))
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(rows[-1]) if more and rows else None)


def entries_during(
    *, actor_id: int, case_pk: int, start: datetime, end: datetime, limit: int = 200
) -> tuple[list[AuditEntry], bool]:
    """What one user did on one case in a time window (a break-the-glass access: what they read
    and changed while it lasted), oldest first, at most ``limit``; and whether there was more."""
    rows = list(
        AuditEntry.objects.filter(
            actor_id=actor_id, case_pk=case_pk, timestamp__gte=start, timestamp__lte=end
        )
        .select_related("actor", "content_type")
        .order_by("timestamp", "id")[: limit + 1]
    )
    return rows[:limit], len(rows) > limit


def summarise(entry: AuditEntry) -> str:
    """One line saying what an entry recorded, for the pages' tables: for an access, its kind,
    the page and what was asked; for a change, the names of the changed fields."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    access = data.get("access")
    if entry.action == AuditEntry.Action.ACCESS and isinstance(access, dict):
        parts = [f"{access.get('kind', '?')} via {access.get('via', '?')}"]
        if access.get("path"):
            parts.append(str(access["path"]))
        query = access.get("query")
        if isinstance(query, dict) and query:
            parts.append(", ".join(f"{key}={value}" for key, value in sorted(query.items())))
        if "listed" in access:
            parts.append(f"{access['listed']} listed")
        return " · ".join(parts)[:500]
    checkpoint = data.get("checkpoint")
    if isinstance(checkpoint, dict):
        return f"retention purge checkpoint through entry {checkpoint.get('purged_through')}"
    changes = entry.changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            changes = None
    if isinstance(changes, dict) and changes:
        return "fields: " + ", ".join(sorted(str(name) for name in changes))
    return ""


# --- "who accessed this record" ------------------------------------------------------------------


def accesses_of_patient(patient_pk: int) -> list[dict]:
    """Per person: how often, first and last time they accessed the patient's record (the
    patient or any of their cases), newest first."""
    return list(
        AuditEntry.objects.filter(patient_pk=patient_pk, action=AuditEntry.Action.ACCESS)
        .values("actor_id", "actor__username", "actor__first_name", "actor__last_name")
        .annotate(accesses=Count("id"), first=Min("timestamp"), last=Max("timestamp"))
        .order_by("-last")
    )


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "entry_id",
    "chain_index",
    "timestamp_utc",
    "action",
    "actor_id",
    "actor_username",
    "remote_addr",
    "object_type",
    "object_pk",
    "object",
    "patient_pk",
    "case_pk",
    "correlation_id",
    "changes",
    "details",
    "entry_hash",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The CSV of a search, a line at a time (streamed: any size, constant memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    labels = dict(AuditEntry.Action.choices)
    rows = _all_newest_first(entries)
    for entry in rows:
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    entry.pk,
                    entry.chain_index,
                    entry.timestamp.astimezone(UTC).isoformat(),
                    labels.get(entry.action, entry.action),
                    entry.actor_id,
                    entry.actor.username if entry.actor_id else "",
                    entry.remote_addr or "",
                    f"{entry.content_type.app_label}.{entry.content_type.model}",
                    entry.object_pk,
                    entry.object_repr,
                    entry.patient_pk,
                    entry.case_pk,
                    entry.cid or "",
                    json.dumps(entry.changes, sort_keys=True) if entry.changes else "",
                    json.dumps(entry.additional_data, sort_keys=True)
                    if entry.additional_data
                    else "",
                    entry.entry_hash,
                )
            ]
        )
