"""Template helpers of the console: SLA cells and display names.

An SLA cell shows what ``cases.sla_state`` decides — the one rule for a target's state (running,
due soon, breached, clock stopped, met on time, met late, no target), its words and its CSS
class. The live queue's events carry the same answer (``cases.events.case_fields``) and
``static/console/live.js`` draws it as it comes; the browser only ticks the time detail ("due in
12 min") of a state that counts, and never changes a state by itself.
"""

from __future__ import annotations

from django import template

from console import sla_cells

register = template.Library()


@register.inclusion_tag("console/_sla.html")
def sla_cell(case, target: str, tag: str = "td"):
    """One SLA cell of ``case`` (``target``: first_response or resolution), from ``case.sla``
    (a ``cases.sla_state.CaseSla`` the view computed): the due time in a ``<time datetime>``, the
    state in words and its class, and what live.js needs to tick the detail (the due time, the
    countdown's direction, when the state changes by itself). The case page's; the queue rows
    draw ``case.sla_cells`` (``console.views.common.prepare_rows``: times formatted once per
    page)."""
    return {"tag": tag, "cell": sla_cells.sla_cell(case.sla, target, sla_cells.LocalTimes())}


@register.filter
def person_name(user, viewer=None) -> str:
    """A staff member as the console names them ("you" for the viewer)."""
    if user is None:
        return ""
    if viewer is not None and getattr(viewer, "pk", None) == user.pk:
        return "you"
    return user.display_name
