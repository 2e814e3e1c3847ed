"""Idempotency-Key on the real endpoints of /api/v1/: every POST handler carries ``@idempotent``,
a partner's case intake and a staff message are made once and replayed, and the key's errors come
out in the API's error format. (The mechanism itself: tests/api/test_idempotency.py.)"""

from __future__ import annotations

from django.urls import reverse

from api.idempotency import REPLAYED_HEADER
from api.models import IdempotencyRecord
from cases.models import Case, CaseEvent
from tests.api.conftest import AGENT, PARTNER_A, PARTNER_B, case_body, error_of

CASES_URL = "/api/v1/cases/"


def post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_every_post_handler_of_the_api_is_idempotent():
    from api.urls import router

    handlers = []
    for _prefix, viewset, _basename in router.registry:
        if hasattr(viewset, "create"):
            handlers.append((viewset, "create"))
        for extra in viewset.get_extra_actions():
            if "post" in extra.mapping:
                handlers.append((viewset, extra.mapping["post"]))
    assert handlers, "the router has POST handlers"
    missing = [
        f"{viewset.__name__}.{name}"
        for viewset, name in handlers
        if not getattr(getattr(viewset, name), "idempotent", False)
    ]
    assert missing == [], "decorate these POST handlers with api.idempotency.idempotent"


def test_a_partner_intake_is_made_once_and_replayed(module_world, db):
    client = module_world.client(PARTNER_A)
    before = Case.objects.count()
    first = post(client, CASES_URL, case_body(n=901), "intake-1")
    assert first.status_code == 201, first.content
    second = post(client, CASES_URL, case_body(n=901), "intake-1")
    assert second.status_code == 201
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert Case.objects.count() == before + 1
    record = IdempotencyRecord.objects.get()
    assert record.organisation == module_world.org_a
    case = Case.objects.get(reference=first.json()["reference"])
    assert record.resulting_object == case
    assert first["Location"] == reverse("api-v1:case-detail", kwargs={"reference": case.reference})


def test_the_key_belongs_to_the_organisation(module_world, db):
    first = post(module_world.client(PARTNER_A), CASES_URL, case_body(n=902), "intake-2")
    other = post(module_world.client(PARTNER_B), CASES_URL, case_body(n=902), "intake-2")
    assert first.status_code == other.status_code == 201
    assert REPLAYED_HEADER not in other
    assert first.json()["reference"] != other.json()["reference"]


def test_the_key_with_another_body_is_a_422_in_the_error_format(module_world, db):
    client = module_world.client(PARTNER_A)
    assert post(client, CASES_URL, case_body(n=903), "intake-3").status_code == 201
    response = post(client, CASES_URL, case_body(n=903, subject="Other"), "intake-3")
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"


def test_an_invalid_key_is_a_400_in_the_error_format(module_world, db):
    response = post(module_world.client(PARTNER_A), CASES_URL, case_body(n=904), "x" * 256)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_idempotency_key"
    assert IdempotencyRecord.objects.count() == 0


def test_a_refused_intake_is_stored_and_replayed(module_world, db):
    client = module_world.client(PARTNER_A)
    body = case_body(n=905, unexpected="field")
    first = post(client, CASES_URL, body, "intake-5")
    assert first.status_code == 400
    second = post(client, CASES_URL, body, "intake-5")
    assert second.status_code == 400
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()


def test_a_staff_message_is_added_once(module_world, db):
    key = "message-1"
    client = module_world.client(AGENT)
    url = f"{CASES_URL}{module_world.case.reference}/messages/"
    events = CaseEvent.objects.filter(case=module_world.case).count()
    body = {"body": "We are open on Saturdays.", "visibility": "internal"}
    first = post(client, url, body, key)
    assert first.status_code == 201, first.content
    second = post(client, url, body, key)
    assert second.status_code == 201
    assert second[REPLAYED_HEADER] == "true"
    assert second.json() == first.json()
    assert CaseEvent.objects.filter(case=module_world.case).count() == events + 1
    assert IdempotencyRecord.objects.get().user == module_world.users[AGENT]


def test_a_raced_external_reference_under_a_key_is_a_409_and_frees_the_key(
    module_world, db, monkeypatch
):
    """The service's duplicate check misses a twin that committed first: the INSERT's real
    IntegrityError is caught in the view's savepoint, inside the key's transaction, and answered
    409 (not stored: the key stays free for a retry)."""
    from django.db.models import QuerySet

    real_exists = QuerySet.exists
    missed = []

    def exists_missing_the_twin(queryset):
        if not missed and queryset.model is Case:
            missed.append(True)
            return False
        return real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_missing_the_twin)
    client = module_world.client(PARTNER_A)
    body = case_body(n=906, external_reference=module_world.case.external_reference)
    response = post(client, CASES_URL, body, "raced-reference")
    assert response.status_code == 409, response.content
    assert error_of(response)["code"] == "duplicate_external_reference"
    assert missed == [True]
    assert IdempotencyRecord.objects.count() == 0
