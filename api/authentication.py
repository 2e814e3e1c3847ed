"""Staff sessions in the API, with the second factor (issue 17; mfa/policy.py).

A person whose session still owes the second factor (not entered yet, or no authenticator
enrolled although their role needs one) is refused with 403 ``mfa_required`` and nothing else:
the code step and enrolment are pages, not API calls. Partner systems authenticate with their
token first (``partners.authentication``) and are never asked.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from mfa.policy import State, session_state

MFA_REQUIRED = "mfa_required"


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = MFA_REQUIRED


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        state = session_state(result[0])
        if state is State.ENROL:
            raise SecondFactorRequired(
                "This account must set up a second factor first: log in to the pages and "
                "follow the enrolment.",
                code=MFA_REQUIRED,
            )
        if state is State.VERIFY:
            raise SecondFactorRequired(
                "This session has not given the second factor yet: enter the code on the "
                "pages first.",
                code=MFA_REQUIRED,
            )
        return result
