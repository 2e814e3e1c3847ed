"""The Content-Security-Policy in Debian's chromium (issue 17; patientcare/headers.py): the
main pages of the admin, the console, the compliance pages and the API documentation load and
work with no CSP violation reported (nor a complaint about the Permissions-Policy), and nothing
is fetched from another origin."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from accounts.roles import Role, ensure_role_groups
from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case

# Every violation the page sees, as the browser reports it to the page itself.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

# What chromium logs about a policy it enforced or could not parse.
HEADER_COMPLAINTS = ("Content Security Policy", "Permissions-Policy", "Unrecognized feature")


@pytest.fixture
def people(transactional_db):
    groups = ensure_role_groups()
    billing = QueueFactory(name="Billing", slug="billing")
    category = CategoryFactory(name="Statement question", slug="statement", default_queue=billing)
    agent = UserFactory(username="browser-csp-agent", is_staff=True)
    agent.groups.add(groups[Role.AGENT])
    assign_perm("cases.work_queue", agent, billing)
    admin = UserFactory(username="browser-csp-admin", is_staff=True, is_superuser=True)
    # A superuser sees patient data only through a role (issue 17): the case pages need one.
    admin.groups.add(groups[Role.COMPLIANCE_OFFICER])
    case = make_case(actor=agent, category=category)
    return {"agent": agent, "admin": admin, "case": case}


def open_page(context, asgi_server, path: str, problems: list[str]):
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message) -> None:
        if any(words in message.text for words in HEADER_COMPLAINTS):
            problems.append(f"{path}: {message.text}")

    def on_request(request) -> None:
        if not request.url.startswith((asgi_server.url, "data:", "blob:")):
            problems.append(f"{path}: fetched {request.url}")

    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda error: problems.append(f"{path}: {error}"))
    response = page.goto(path)
    assert response.status == 200, path
    assert "'nonce-" in response.headers["content-security-policy"]
    return page


def settle(page, path: str, problems: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    problems.extend(f"{path}: {v}" for v in page.evaluate("window.cspViolations"))


def test_main_pages_load_without_a_csp_violation(people, new_context, asgi_server):
    problems: list[str] = []
    reference = people["case"].reference
    admin = new_context(people["admin"])
    for path in (
        "/admin/",
        "/admin/cases/case/",
        f"/admin/cases/case/{people['case'].pk}/change/",
        "/admin/accounts/user/add/",
        "/compliance/",
        "/compliance/trail/",
    ):
        page = open_page(admin, asgi_server, path, problems)
        settle(page, path, problems)

    swagger = open_page(admin, asgi_server, "/api/v1/docs/", problems)
    expect(swagger.locator(".swagger-ui .info .title")).to_contain_text("PatientCare API")
    settle(swagger, "/api/v1/docs/", problems)

    agent = new_context(people["agent"])
    queue = open_page(agent, asgi_server, "/console/", problems)
    expect(queue.get_by_role("link", name=reference)).to_be_visible()
    # The live queue's socket (connect-src: the same host's ws: origin) is open.
    expect(queue.locator("#live-status")).to_have_text("Live updates on.")
    settle(queue, "/console/", problems)
    case_page = open_page(agent, asgi_server, f"/console/cases/{reference}/", problems)
    settle(case_page, f"/console/cases/{reference}/", problems)

    anonymous = new_context()
    login = open_page(anonymous, asgi_server, "/admin/login/", problems)
    settle(login, "/admin/login/", problems)

    assert not problems, "\n".join(problems)
