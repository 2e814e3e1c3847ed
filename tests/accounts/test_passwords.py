"""Passwords: the predictable-password validator (accounts/passwords.py), the validators as Django
applies them (admin forms), and Argon2 as the production hasher."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from accounts.passwords import PredictablePasswordValidator
from patientcare import settings as project_settings
from tests.factories import UserFactory

REFUSED = {
    "password_repeated": [
        "aaaaaaaaaaaa",
        "abcabcabcabc",
        "121212121212",
        "xyzxyzxyz2026",
        "!!!!zzzzzzzzzzzz",
        "aabbaabbaabbab",
    ],
    "password_sequence": [
        "qwertyuiopas",
        "123456789012",
        "abcdefghijkl",
        "zyxwvutsrqpo",
        "1qaz2wsx3edc",
        "asdfghjkl2026!",
        "qwerty123456",
        "9876543210ab",
        "!QAZ2wsx#EDC",
    ],
    "password_season": [
        "Summer2026!!",
        "Winter2025#",
        "January2026!",
        "Verano2026!!",
        "Otoño2027##",
        "2026-Diciembre!",
        "4utumn2026!!",
        "SpringSummer99",
        "Sept2026!!!!",
        "Summer-2026-Summer",
    ],
    "password_common_variant": [
        "P@ssw0rd1234",
        "Dr@g0n!!2026",
        "Football#2026",
        "1L3tm31n!!99",
        "M0nk3y-2025!",
    ],
    "password_context_word": [
        "PatientCare1!",
        "P@tientC@re2026",
        "MedicalClinic2026!",
        "Acme-Clinic-2026",
        "Patient2026Care!",
    ],
}

ACCEPTED = [
    "correct horse battery staple",
    "Tr0mbone-Kettle-Lantern",
    "purple giraffe eats lemons",
    "xK9#mQ2$vL7!pR",
    # random, with a few letters that look like a pattern on their own
    "*RbiuYhGf9%8",
    "8%%#$e!7E501",
    "q7#Lm2@Vx9!Tz",
    "horse7battery9staple",
    "Sunday morning cello practice",
    "patientcare-demo",  # the demo's documented password (fixtures/demo_data.py)
    "test-password-123",  # the tests' factories' password
]


def _validator() -> PredictablePasswordValidator:
    return PredictablePasswordValidator(words=["Acme Clinic"])


@pytest.mark.parametrize(
    ("code", "password"),
    [(code, password) for code, passwords in REFUSED.items() for password in passwords],
)
def test_each_kind_of_predictable_password_is_refused_with_its_message(code, password):
    with pytest.raises(ValidationError) as raised:
        _validator().validate(password)
    assert raised.value.code == code
    message = " ".join(raised.value.messages)
    assert message.startswith("This password ")
    assert password.lower() not in message.lower()  # never echoed


@pytest.mark.parametrize("password", ACCEPTED)
def test_good_passphrases_are_accepted(password):
    _validator().validate(password)


@pytest.mark.parametrize("password", ACCEPTED)
def test_good_passphrases_pass_every_configured_validator(password):
    validate_password(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "Summer2026!!", "P@ssw0rd1234"])
def test_the_configured_validators_refuse_the_weak_passwords_of_the_issue(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_validator_explains_itself_in_the_help_text():
    assert "season" in _validator().get_help_text()


def test_production_hashes_with_argon2_and_older_hashes_still_verify_and_are_upgraded():
    hashers = project_settings.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=hashers):
        encoded = make_password("Tr0mbone-Kettle-Lantern")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password("Tr0mbone-Kettle-Lantern", encoded)
        assert not check_password("Tr0mbone-Kettle-Lanterns", encoded)

        old = make_password("Tr0mbone-Kettle-Lantern", hasher="pbkdf2_sha256")
        upgraded = []
        assert check_password("Tr0mbone-Kettle-Lantern", old, setter=upgraded.append)
        assert upgraded == ["Tr0mbone-Kettle-Lantern"]  # re-hashed (with Argon2) at login


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["Summer2026!!", "aaaaaaaaaaaa"])
def test_the_admin_refuses_a_weak_password_with_a_form_error(client, password):
    admin = UserFactory(username="admin-pw", is_superuser=True)
    user = UserFactory(username="someone-pw")
    client.force_login(admin)

    change = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": password, "password2": password},
    )
    assert change.status_code == 200
    assert change.context["form"].errors["password2"]
    user.refresh_from_db()
    assert not user.check_password(password)

    add = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "new-pw", "password1": password, "password2": password, "kind": "person"},
    )
    assert add.status_code == 200
    assert add.context["adminform"].form.errors["password2"]
    assert not user.__class__.objects.filter(username="new-pw").exists()


@pytest.mark.django_db
def test_the_admin_accepts_a_passphrase(client):
    admin = UserFactory(username="admin-pw", is_superuser=True)
    user = UserFactory(username="someone-pw")
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Tr0mbone-Kettle-Lantern", "password2": "Tr0mbone-Kettle-Lantern"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Tr0mbone-Kettle-Lantern")
