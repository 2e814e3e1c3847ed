"""OpenAPI helpers of the API (drf-spectacular), by topic:

- ``errors``: the error responses every operation documents (``errors``) and the schema of a
  POST action on a case (``case_action``);
- ``examples``: request and response examples (obviously synthetic: no real patient) and the
  long descriptions;
- ``auth``: the Bearer security scheme of partner tokens (a drf-spectacular extension, registered
  on import: this package imports it).
"""

from api.schema.auth import PartnerTokenScheme
from api.schema.errors import CASE_ACTION_ERRORS, case_action, errors
from api.schema.examples import (
    ASSIGN_EXAMPLES,
    CASE_ACTION_RESPONSE_EXAMPLE,
    CASE_CREATE_DESCRIPTION,
    CASE_CREATE_EXAMPLES,
    CASE_EXAMPLE,
    CASE_LIST_DESCRIPTION,
    CASE_LIST_EXAMPLE,
    CATEGORY_LIST_EXAMPLE,
    MESSAGE_CREATE_DESCRIPTION,
    MESSAGE_CREATE_EXAMPLES,
    MESSAGE_EXAMPLE,
    MESSAGE_LIST_EXAMPLE,
    QUEUE_LIST_EXAMPLE,
    RESOLVE_EXAMPLES,
    TRANSITION_EXAMPLES,
)

__all__ = [
    "ASSIGN_EXAMPLES",
    "CASE_ACTION_ERRORS",
    "CASE_ACTION_RESPONSE_EXAMPLE",
    "CASE_CREATE_DESCRIPTION",
    "CASE_CREATE_EXAMPLES",
    "CASE_EXAMPLE",
    "CASE_LIST_DESCRIPTION",
    "CASE_LIST_EXAMPLE",
    "CATEGORY_LIST_EXAMPLE",
    "MESSAGE_CREATE_DESCRIPTION",
    "MESSAGE_CREATE_EXAMPLES",
    "MESSAGE_EXAMPLE",
    "MESSAGE_LIST_EXAMPLE",
    "QUEUE_LIST_EXAMPLE",
    "RESOLVE_EXAMPLES",
    "TRANSITION_EXAMPLES",
    "PartnerTokenScheme",
    "case_action",
    "errors",
]
