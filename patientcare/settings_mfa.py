"""The second factor with django-otp (issue 17; docs/operations/configuration.md, "Second factor").

Who must use it (``mfa.policy``): superusers, the roles in ``MFA_REQUIRED_ROLES`` (by default
administrators, compliance officers and supervisors), every person when
``MFA_REQUIRED_FOR_ALL_STAFF`` is on, and anybody who enrolled an authenticator voluntarily.
Service accounts (partner systems, the system account) never: they do not log in to the pages.
A person who must and has no authenticator yet is sent to enrolment on their first login;
one who has one, to the code step. ``mfa.middleware.SecondFactorMiddleware`` keeps every page
but the second factor's own, logout and static files closed until then; the API answers 403
``mfa_required`` (api/authentication.py).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from patientcare.env import env_bool, env_int, env_list

MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES", ["Administrator", "Compliance officer", "Supervisor"]
)
MFA_REQUIRED_FOR_ALL_STAFF = env_bool("MFA_REQUIRED_FOR_ALL_STAFF", False)
# The name the authenticator app shows beside the account (otpauth:// issuer).
OTP_TOTP_ISSUER = os.environ.get("MFA_ISSUER", "PatientCare").strip() or "PatientCare"
# Wrong codes: django-otp's exponential back-off per device (1 s, 2 s, 4 s … after each failure
# in a row; reset by a right code). 0 would switch it off, which is refused here.
OTP_TOTP_THROTTLE_FACTOR = env_int("MFA_THROTTLE_FACTOR", 1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
if OTP_TOTP_THROTTLE_FACTOR < 1:
    raise ImproperlyConfigured("MFA_THROTTLE_FACTOR must be at least 1: wrong codes are throttled.")
# How many single-use recovery codes a person gets at enrolment and at each renewal.
MFA_RECOVERY_CODES = env_int("MFA_RECOVERY_CODES", 10)
if not 5 <= MFA_RECOVERY_CODES <= 20:
    raise ImproperlyConfigured("MFA_RECOVERY_CODES must be 5 to 20.")
# Never show a secret, a QR code or a recovery code in the admin (mfa/admin.py replaces
# django-otp's device admins with read-only lists; this keeps its own ones quiet too).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
