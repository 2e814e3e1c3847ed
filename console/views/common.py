"""What the console's pages share: who may use them, the queues and people of a user, the
case a URL names (through ``restrict()``), the fields a user may see (minimum necessary), the admin
frame, live.js's configuration (refusals: ``console.refusals``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import User
from accounts.permissions import holds
from cases import minimum_necessary as mn
from cases.choices import Channel, Priority, Status
from cases.models import (
    Case,
    Category,
    Queue,
)
from cases.sla_state import case_sla
from cases.workflow import OPEN_STATUSES
from console.refusals import refusal_status as refusal_status
from console.refusals import refusal_text as refusal_text
from console.selectors import PERSON_FIELDS as PERSON_FIELDS
from console.selectors import ROW_FIELDS as ROW_FIELDS
from console.selectors import page_case
from console.selectors import people_of as people_of
from console.selectors import queues_of as queues_of
from console.sla_cells import LocalTimes, sla_cells

CHANGE_CASE = "cases.change_case"
VIA = "console"
# Rows per page of the live queue (issue 18; ``CONSOLE_QUEUE_PAGE_SIZE``): the most urgent first;
# "More cases" (a link with the last row's id, ``?after=``, which live.js follows in place, also on
# scroll) shows the next ones.
QUEUE_PAGE_SIZE = 50
# Escalations listed on the queue page (above the cases): the most urgent; few are ever waiting.
ESCALATION_LIMIT = 200
# The rows live.js keeps on "my cases", which the server draws whole (an agent's own open cases).
MINE_LIMIT = 200
SOCKET_PATH = "/ws/console/live/"
# Stands for a case reference in the URL patterns live.js fills in (it matches the URL pattern).
REF_PLACEHOLDER = "REF-PLACEHOLDER"


# How long after a moment an SLA state was due to change by itself (``changes_at``) live.js waits
# for the timer sweep's event before it asks for a fresh snapshot: more than one sweep interval
# (60 s) and its run time, so that a working sweep always comes first.
SLA_REFRESH_AFTER_SECONDS = 90


# --- access ---------------------------------------------------------------------------------------


def may_use_console(user) -> bool:
    """An active person whose role may work cases (a superuser too only through a role)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if getattr(user, "kind", User.Kind.PERSON) != User.Kind.PERSON:
        return False
    return holds(user, CHANGE_CASE)


def console_page(view: Callable) -> Callable:
    """Anonymous users go to the login page; anybody else who may not use the console gets a
    404. Responses are never cached (the case page shows PHI; the lists change by the second)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_use_console(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def case_or_404(user, reference: str, action: str) -> Case:
    """The case ``reference`` if ``user`` may ``action`` it, with its per-user flags (``can_work``,
    ``can_supervise``) in the same query (``console.selectors.page_case``); otherwise a 404."""
    case = page_case(user, reference, action)
    if case is None:
        raise Http404("No such case.")
    return case


# --- minimum necessary ----------------------------------------------------------------------------


def _display(instance, name: str) -> str:
    """A field's value as text (choices by label, booleans as yes/no, dates local)."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def shown_fields(user, instance, names: Iterable[str], label: str | None = None) -> list:
    """``(label, text)`` of each field ``user`` may see, masked ones as ••••1234 (minimum
    necessary, ``cases.minimum_necessary``); hidden fields are left out."""
    policy = label or instance._meta.label_lower
    shown = []
    for name in names:
        view = mn.field_view(user, policy, name)
        if view == mn.HIDDEN:
            continue
        text = _display(instance, name)
        if view == mn.LAST4 and text != "—":
            text = mn.mask_last4(getattr(instance, name))
        shown.append((instance._meta.get_field(name).verbose_name, text))
    return shown


# --- rendering ------------------------------------------------------------------------------------


def render_page(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """A page in the admin's frame (header, user links, messages)."""
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


def names_for(user, people: Iterable[User]) -> dict[str, str]:
    names = {str(person.pk): person.display_name for person in people}
    names[str(user.pk)] = "you"
    return names


def prepare_rows(cases: Iterable[Case], names: dict[str, str]) -> list[Case]:
    """The rows as the queue tables draw them: each case's page URL, its SLA state at one
    instant and its two cells (``sla_cells``, every distinct time formatted once for the page),
    the assignee's name."""
    now = timezone.now()
    times = LocalTimes()
    url = reverse("console:case", args=[REF_PLACEHOLDER])  # one reverse() for the page
    rows = []
    for case in cases:
        case.url = url.replace(REF_PLACEHOLDER, quote(case.reference, safe=""))
        case.sla = case_sla(case, now)
        case.sla_cells = sla_cells(case.sla, times)
        case.assignee_name = names.get(str(case.assigned_to_id), "another agent")
        rows.append(case)
    return rows


def queue_page_size() -> int:
    return max(1, int(getattr(settings, "CONSOLE_QUEUE_PAGE_SIZE", QUEUE_PAGE_SIZE)))


def live_grace_seconds() -> int:
    """How long live.js lets live updates be off (not yet on, or lost) before its banner says
    the page will not update by itself (``LIVE_QUEUE_GRACE_SECONDS``; 4503 shows it at once)."""
    return max(1, int(getattr(settings, "LIVE_QUEUE_GRACE_SECONDS", 10)))


def live_config(request, *, page: str, queues: Iterable[Queue], names: dict[str, str], **extra):
    """What live.js needs, rendered into the page with ``json_script``: labels, the user's queues
    and the names of the people who may appear as assignees (events carry ids only)."""
    return {
        "page": page,
        "me": request.user.pk,
        "socket_path": SOCKET_PATH,
        "live_grace_seconds": live_grace_seconds(),
        "names": names,
        "queues": {str(queue.pk): queue.name for queue in queues},
        "categories": {str(pk): name for pk, name in Category.objects.values_list("pk", "name")},
        "statuses": dict(Status.choices),
        "open_statuses": sorted(OPEN_STATUSES),
        "priorities": {str(value): label for value, label in Priority.choices},
        "channels": dict(Channel.choices),
        "sla_refresh_after_seconds": SLA_REFRESH_AFTER_SECONDS,
        "limit": queue_page_size(),
        "query": request.GET.urlencode(),
        "urls": {
            "case": reverse("console:case", args=[REF_PLACEHOLDER]),
            "claim": reverse("console:case-claim", args=[REF_PLACEHOLDER]),
            "row": reverse("console:case-row", args=[REF_PLACEHOLDER]),
            "complaint_alerts": reverse("console:complaint-alerts"),
        },
        **extra,
    }


def nav_context(queues: Iterable[Queue]) -> dict[str, Any]:
    return {"supervises": any(getattr(queue, "supervised", False) for queue in queues)}
