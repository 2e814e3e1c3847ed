"""PCI DSS 3.3/3.4: card numbers and card security codes are masked before any free text is
stored (``compliance.pci``, applied on the write path: ``cases.services``, ``cases.details``,
``oversight.services``).

"A card number left in the text" is checked with a scanner of its own
(``tests/compliance/card_scanner.py``): any Luhn-valid 13-19 digit number, Unicode digits, with
separators of any kind between its groups.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role, ensure_role_groups
from cases.choices import Channel, EventKind, Status, Visibility
from cases.details import detail_for
from cases.models import Case, CaseEvent, CaseUserObjectPermission, Patient
from cases.registry import registry
from cases.services import case_add_note, case_open, case_transition
from compliance.models import AuditEntry
from compliance.pci import luhn_valid, redact_card_data
from oversight.models import BreakGlassAccess
from oversight.services import break_glass_open
from tests.compliance.card_scanner import _luhn as _luhn_values
from tests.compliance.card_scanner import card_numbers_in
from tests.factories import CategoryFactory, UserFactory, make_case, make_patient


def _luhn(number: str) -> bool:
    return _luhn_values([int(char) for char in number])


# --- an independent oracle: tests/compliance/card_scanner.py --------------------------------------


def masked(digits: str) -> str:
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


# --- luhn_valid ----------------------------------------------------------------------------------

TEST_CARDS = [
    "4111111111111111",  # Visa
    "4222222222222",  # Visa, 13 digits
    "5555555555554444",  # Mastercard
    "5105105105105100",  # Mastercard
    "2223003122003222",  # Mastercard 2-series
    "378282246310005",  # Amex, 15 digits
    "371449635398431",  # Amex
    "6011111111111117",  # Discover
    "30569309025904",  # Diners, 14 digits
    "3530111333300000",  # JCB
    "6304000000000000000",  # Maestro, 19 digits
    "4111111111111111110",  # 19 digits
    "411111111117",  # 12 digits
]


@pytest.mark.parametrize("number", TEST_CARDS)
def test_luhn_accepts_the_test_card_numbers(number):
    assert luhn_valid(number)
    assert _luhn(number)


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111112",
        "1234567890123456",
        "",
        "4111 1111 1111 1111",
        "4111-1111",
        "41x1",
        "٤١١١",
    ],
)
def test_luhn_refuses_other_values(value):
    assert not luhn_valid(value)


@given(st.text(alphabet="0123456789", min_size=1, max_size=40))
def test_luhn_agrees_with_the_oracle(digits):
    assert luhn_valid(digits) == _luhn(digits)


# --- the table -----------------------------------------------------------------------------------

REDACTED = [
    # Card numbers, alone, in several formats.
    ("4111 1111 1111 1111", "411111******1111"),
    ("4111111111111111", "411111******1111"),
    ("4111-1111-1111-1111", "411111******1111"),
    ("5555 5555 5555 4444", "555555******4444"),
    ("5105-1051-0510-5100", "510510******5100"),
    ("2223 0031 2200 3222", "222300******3222"),
    ("3782 822463 10005", "378282*****0005"),
    ("3714-496353-98431", "371449*****8431"),
    ("6011 1111 1111 1117", "601111******1117"),
    ("3056 930902 5904", "305693****5904"),
    ("4222222222222", "422222***2222"),
    # Every layout: several spaces, dots, Unicode spaces, zero-width characters, URL escapes.
    ("4111  1111  1111  1111", "411111******1111"),
    ("4111.1111.1111.1111", "411111******1111"),
    ("4111\u00a01111\u202f1111\u20091111", "411111******1111"),
    ("4\u200b111\u200c1111\u200d1111\u2060111\ufeff1", "411111******1111"),
    ("4111\u00ad1111\u00ad1111\u00ad1111", "411111******1111"),
    ("4111\u20131111\u20141111\u22121111", "411111******1111"),
    (
        "\uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 "
        "\uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11",
        "\uff14\uff11\uff11\uff11\uff11\uff11******\uff11\uff11\uff11\uff11",
    ),
    (
        "\u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661",
        "\u0664\u0661\u0661\u0661\u0661\u0661******\u0661\u0661\u0661\u0661",
    ),
    ("/api/v1/cases/?ref=4111%201111%201111%201111&x=1", "/api/v1/cases/?ref=411111******1111&x=1"),
    ("?ref=4111+1111+1111+1111", "?ref=411111******1111"),
    ("card#4111111111111111", "card#411111******1111"),
    ("tarjeta:4111-1111-1111-1111.", "tarjeta:411111******1111."),
    ('{"pan": "5555\\u00a05555\\u00a05555\\u00a04444"}', '{"pan": "555555******4444"}'),
    ("4111111111111111 5555555555554444", "411111******1111 555555******4444"),
    ("6212 3456 7890 1234 569", "621234*********4569"),  # UnionPay, 19 digits
    ("3530 1113 3330 0000", "353011******0000"),  # JCB
    ("6304 0000 0000 0000 000", "630400*********0000"),
    ("4111-1111-1111-1111-110", "411111*********1110"),
    ("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "411111******1111"),
    ("6759 6498 2643 8453", "675964******8453"),  # Maestro
    # In sentences, English and Spanish.
    ("My card is 4111 1111 1111 1111, exp 12/28.", "My card is 411111******1111, exp 12/28."),
    ("Paid with 5555-5555-5555-4444 yesterday", "Paid with 555555******4444 yesterday"),
    ("card:4111111111111111;", "card:411111******1111;"),
    ("(Amex 371449635398431)", "(Amex 371449*****8431)"),
    (
        "Two cards: 4111111111111111 and 5555 5555 5555 4444.",
        "Two cards: 411111******1111 and 555555******4444.",
    ),
    (
        "Mi tarjeta es 5555 5555 5555 4444 y vence el 03/28.",
        "Mi tarjeta es 555555******4444 y vence el 03/28.",
    ),
    ("Pagó con la tarjeta 3782-822463-10005.", "Pagó con la tarjeta 378282*****0005."),
    ("Número de tarjeta: 6011-1111-1111-1117", "Número de tarjeta: 601111******1117"),
    # A code, an expiry month or a year joined to the card.
    ("4111 1111 1111 1111 123", "411111******1111 123"),
    ("card 4111 1111 1111 1111 12/28", "card 411111******1111 12/28"),
    ("ref 2026 4111 1111 1111 1111", "ref 2026 411111******1111"),
    # "2028 4111 1111 1111" passes Luhn too: both readings are masked.
    ("paid 2028 4111 1111 1111 1111", "paid 202841**********1111"),
    # Card security codes.
    ("cvv 123", "cvv ***"),
    ("CVC: 1234", "CVC: ***"),
    ("security code is 987", "security code is ***"),
    ("Security Code - 321", "Security Code - ***"),
    ("CVV2 #456", "CVV2 #***"),
    ("cvc2: 456", "cvc2: ***"),
    ("CID=1234", "CID=***"),
    ("the CVV number is 123.", "the CVV number is ***."),
    ("el código de seguridad es 456", "el código de seguridad es ***"),
    ("Código de seguridad: 789", "Código de seguridad: ***"),
    ("codigo de seguridad 0789", "codigo de seguridad ***"),
    # Both.
    (
        "Card 4111 1111 1111 1111 exp 12/28 cvv 123, thanks",
        "Card 411111******1111 exp 12/28 cvv ***, thanks",
    ),
    (
        "tarjeta 5555-5555-5555-4444, código de seguridad 1234",
        "tarjeta 555555******4444, código de seguridad ***",
    ),
    ("cvv 123 4111 1111 1111 1111 0", "cvv *** 411111******1111 0"),
]

LEFT_ALONE = [
    # Phone numbers.
    "+1 202-555-0123",
    "(202) 555-0123",
    "Call +1 (202) 555-0199 or 202.555.0123, ext 45",
    "CID 202-555-0123",
    # Dates.
    "2026-03-01",
    "03/01/2026",
    "Seen 2026-03-01, follow-up 03/01/2026 at 10:30",
    # MRNs and member ids.
    "MRN DEMO100123",
    "TEST000001",
    "member id DEMO-1234 5678",
    # Amounts.
    "$1,234.56",
    "balance $12,345,678.90 due",
    # Claim numbers that are not Luhn-valid.
    "claim 100200300400",
    "claim 1002003004005",
    "claim CLM-2026-0001234",
    # 16 digits that fail Luhn: not a card number.
    "1234567890123456",
    "1234 5678 9012 3456",
    "4111-1111-1111-1112",
    # ZIP codes.
    "ZIP 20001",
    "Washington, DC 20001-1234",
    # Longer than any card number, or not a code.
    "12345678901234567890",
    # 12 digits: not a card (phone numbers with a country code, IPv4 addresses).
    "4111 1111 1117",
    "+52 55 1234 5678",
    "+44 20 7946 0958",
    "192.168.100.200",
    "2026-12-07 02:11:11.123456+00:00",
    "4111:1111:1111:1111",
    "cvv 12345",
    "the security code was sent by text",
    "CVV 12/28",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_card_data_is_redacted(text, expected):
    redacted, count = redact_card_data(text)
    assert redacted == expected
    assert count >= 1
    assert card_numbers_in(redacted) == []
    assert redact_card_data(redacted) == (redacted, 0)  # idempotent
    assert len(redacted) <= len(text)


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_other_numbers_are_left_alone(text):
    assert redact_card_data(text) == (text, 0)


def test_the_non_luhn_examples_really_fail_luhn():
    for number in ["100200300400", "1002003004005", "1234567890123456", "4111111111111112"]:
        assert not _luhn(number)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("4111 1111 1111 1111", 1),
        ("Card 4111111111111111 cvv 123", 2),
        ("4111111111111111, 5555555555554444 and 378282246310005", 3),
        ("cvv 123 and cvc 456", 2),
        ("nothing here", 0),
    ],
)
def test_counts_redactions(text, count):
    assert redact_card_data(text)[1] == count


HUNDRED_KB = 100_000


@pytest.mark.parametrize(
    "text",
    [
        "1" * HUNDRED_KB,
        "1 " * (HUNDRED_KB // 2),
        "1-" * (HUNDRED_KB // 2),
        "12 " * (HUNDRED_KB // 3),
        "4111 1111 1111 1111 " * (HUNDRED_KB // 20),
        "4111 1111 1111 1111  " * (HUNDRED_KB // 21),
        "cvv " * (HUNDRED_KB // 4),
        "cvv 1" * (HUNDRED_KB // 5),
        "security  code is " * (HUNDRED_KB // 18),
        "código de seguridad es " * (HUNDRED_KB // 23),
        "Card 4111 1111 1111 1111 cvv 123, call +1 202-555-0123. " * (HUNDRED_KB // 56),
        "a" * HUNDRED_KB,
        " " * HUNDRED_KB,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_100_kb_of_adversarial_text_is_fast(text):
    started = time.perf_counter()
    redacted, _ = redact_card_data(text)
    assert time.perf_counter() - started < 2.0
    assert card_numbers_in(redacted) == []


# --- properties ----------------------------------------------------------------------------------


@st.composite
def card_numbers(draw, min_digits: int = 13, max_digits: int = 19) -> str:
    """A Luhn-valid number of ``min_digits``-``max_digits`` digits."""
    length = draw(st.integers(min_digits, max_digits))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    return body + next(digit for digit in "0123456789" if _luhn(body + digit))


@st.composite
def formatted(draw, digits: str) -> str:
    """``digits`` grouped at random, with single spaces or dashes between the groups."""
    separators = draw(
        st.lists(
            st.sampled_from(["", "", "", " ", "-"]),
            min_size=len(digits) - 1,
            max_size=len(digits) - 1,
        )
    )
    return "".join(
        digit + separator for digit, separator in zip(digits, [*separators, ""], strict=True)
    )


@st.composite
def formatted_cards(draw, min_digits: int = 13, max_digits: int = 19) -> tuple[str, str]:
    digits = draw(card_numbers(min_digits, max_digits))
    return digits, draw(formatted(digits))


# Any text (no NUL: PostgreSQL refuses it), and text without digits.
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
NUMBERY_TEXT = st.text("0123456789 -/.,:cvCVsecurityodgá", max_size=40)
WORDS = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=["Nd"]),
    max_size=40,
)


@given(
    card=formatted_cards(),
    before=st.one_of(ANY_TEXT, NUMBERY_TEXT),
    after=st.one_of(ANY_TEXT, NUMBERY_TEXT),
)
@settings(max_examples=400)
def test_no_card_number_survives_in_any_surrounding_text(card, before, after):
    text = before + card[1] + after
    redacted, count = redact_card_data(text)
    assert card_numbers_in(redacted) == []
    assert redact_card_data(redacted) == (redacted, 0)
    assert len(redacted) <= len(text)
    assert (count == 0) == (redacted == text)


@given(card=formatted_cards(), before=WORDS, after=WORDS)
@settings(max_examples=300)
def test_a_card_between_words_keeps_at_most_its_first_6_and_last_4_digits(card, before, after):
    digits, text = card
    redacted, count = redact_card_data(before + text + after)
    assert count >= 1
    assert masked(digits) in redacted
    assert text not in redacted
    assert card_numbers_in(redacted) == []


@given(
    card=formatted_cards(min_digits=13),
    code=st.text("0123456789", min_size=1, max_size=4),
    separator=st.sampled_from([" ", "-"]),
    code_first=st.booleans(),
    before=WORDS,
    after=WORDS,
)
def test_a_card_with_a_short_group_joined_to_it_is_redacted(
    card, code, separator, code_first, before, after
):
    digits, text = card
    if len(digits) + len(code) <= 16:  # judged as one 16-digit number (module docs)
        return
    joined = code + separator + text if code_first else text + separator + code
    redacted, count = redact_card_data(before + " " + joined + " " + after)
    assert count >= 1
    assert text not in redacted
    assert card_numbers_in(redacted) == []


# --- the write path ------------------------------------------------------------------------------

VISA = "4111 1111 1111 1111"
MASTERCARD = "5555-5555-5555-4444"
AMEX = "378282246310005"
CARD_DIGITS = ["4111111111111111", "5555555555554444", AMEX, "4111 1111", "5555-5555", "3782822"]


def assert_no_card_data(text: str) -> None:
    assert card_numbers_in(text) == []
    for fragment in CARD_DIGITS:
        assert fragment not in text


def redaction_logs(caplog) -> list[tuple[int, str]]:
    return [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if "card data redacted" in record.getMessage()
    ]


@pytest.mark.django_db
def test_case_open_stores_subject_and_description_redacted_and_logs_ids_only(actor, caplog):
    caplog.set_level(logging.INFO)
    case = make_case(
        actor=actor,
        subject=f"Payment with card {VISA}",
        description=f"Patient read out {MASTERCARD}, exp 12/28, cvv 123. Call +1 202-555-0123.",
    )
    case.refresh_from_db()
    assert case.subject == "Payment with card 411111******1111"
    assert case.description == (
        "Patient read out 555555******4444, exp 12/28, cvv ***. Call +1 202-555-0123."
    )
    assert redaction_logs(caplog) == [
        (logging.WARNING, f"card data redacted from case {case.pk} field subject"),
        (logging.WARNING, f"card data redacted from case {case.pk} field description"),
    ]
    assert_no_card_data(caplog.text)


@pytest.mark.django_db
def test_clean_text_is_stored_as_is_and_nothing_is_logged(actor, caplog):
    caplog.set_level(logging.INFO)
    description = "Claim 1234567890123456 from 2026-03-01, $1,234.56, MRN DEMO100123, ZIP 20001."
    case = make_case(actor=actor, subject="Statement question", description=description)
    case_add_note(actor=actor, case=case, body=description, visibility=Visibility.PATIENT)
    case.refresh_from_db()
    assert case.description == description
    assert case.events.get(kind=EventKind.REPLY).body == description
    assert redaction_logs(caplog) == []


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", [Visibility.PATIENT, Visibility.INTERNAL])
def test_replies_and_notes_are_stored_redacted(actor, caplog, visibility):
    case = make_case(actor=actor)
    caplog.set_level(logging.INFO)
    event = case_add_note(
        actor=actor,
        case=case,
        body=f"  El paciente dio la tarjeta {AMEX} y el código de seguridad es 1234.  ",
        visibility=visibility,
    )
    event.refresh_from_db()
    assert (
        event.body == "El paciente dio la tarjeta 378282*****0005 y el código de seguridad es ***."
    )
    assert redaction_logs(caplog) == [
        (logging.WARNING, f"card data redacted from case {case.pk} field body")
    ]
    assert_no_card_data(caplog.text)


@pytest.mark.django_db
def test_a_note_of_nothing_but_a_card_number_is_kept_masked(actor):
    case = make_case(actor=actor)
    event = case_add_note(actor=actor, case=case, body=VISA, visibility=Visibility.INTERNAL)
    assert event.body == "411111******1111"


@pytest.mark.django_db
def test_a_transition_reason_is_stored_redacted(actor, caplog):
    case = make_case(actor=actor)
    caplog.set_level(logging.INFO)
    case_transition(
        actor=actor, case=case, to_status=Status.RESOLVED, reason=f"Refunded to {VISA}, CVC 999"
    )
    event = case.events.get(kind=EventKind.STATUS_CHANGED)
    assert event.body == "Refunded to 411111******1111, CVC ***"
    assert redaction_logs(caplog) == [
        (logging.WARNING, f"card data redacted from case {case.pk} field reason")
    ]
    assert not any("999" in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "details", "field", "expected"),
    [
        (
            "insurance",
            {"inquiry_type": "eligibility", "third_party_contact": f"Payer rep took {VISA}"},
            "third_party_contact",
            "Payer rep took 411111******1111",
        ),
        (
            "refills",
            {
                "request_type": "transfer",
                "medication": "lisinopril",
                "pharmacy": f"Demo Pharmacy, paid {MASTERCARD} cvv 321",
            },
            "pharmacy",
            "Demo Pharmacy, paid 555555******4444 cvv ***",
        ),
        (
            "portal",
            {"issue_type": "login", "browser": f"Firefox 140 {AMEX}"},
            "browser",
            "Firefox 140 378282*****0005",
        ),
        (
            "care_navigation",
            {"request_type": "specialist", "specialty": f"cardiology {VISA}"},
            "specialty",
            "cardiology 411111******1111",
        ),
    ],
)
def test_detail_text_fields_are_stored_redacted(actor, caplog, kind, details, field, expected):
    caplog.set_level(logging.INFO)
    case = make_case(actor=actor, category=CategoryFactory(kind=kind), details=details)
    detail = detail_for(case)
    assert getattr(detail, field) == expected
    assert redaction_logs(caplog) == [
        (logging.WARNING, f"card data redacted from case {case.pk} field details.{field}")
    ]
    assert_no_card_data(caplog.text)


@pytest.mark.django_db
def test_a_detail_field_that_refuses_card_numbers_still_refuses_them(actor, caplog):
    """Billing's account number keeps its own check (and message); nothing is stored."""
    caplog.set_level(logging.INFO)
    category = CategoryFactory(kind="billing")
    with pytest.raises(ValidationError) as raised:
        make_case(
            actor=actor,
            category=category,
            details={"inquiry_type": "refund", "account_number": "ACCT-4111111111111111"},
        )
    errors = raised.value.error_dict["details.account_number"]
    assert [error.code for error in errors] == ["card_number"]
    assert_no_card_data(str(raised.value.message_dict))
    assert not Case.objects.exists()
    assert redaction_logs(caplog) == []


@pytest.mark.django_db
def test_a_detail_field_with_a_pattern_refuses_the_masked_value(actor):
    """An identifier field's pattern has no room for "*": a card typed there is refused."""
    with pytest.raises(ValidationError) as raised:
        make_case(
            actor=actor,
            category=CategoryFactory(kind="insurance"),
            details={"inquiry_type": "eligibility", "member_id": VISA},
        )
    assert "details.member_id" in raised.value.error_dict
    assert_no_card_data(str(raised.value.message_dict))


@pytest.mark.django_db
def test_break_glass_reason_is_stored_redacted(actor, category, caplog):
    groups = ensure_role_groups()
    outsider = UserFactory(username="night-agent")
    outsider.groups.add(groups[Role.CLINICIAN])  # a role that may break the glass
    case = make_case(actor=actor, category=category)
    caplog.set_level(logging.INFO)
    reason = f"Patient on the line gave card {VISA} cvv 123 to pay; need the billing case."

    access = break_glass_open(actor=outsider, reference=case.reference, reason=reason)

    expected = (
        "Patient on the line gave card 411111******1111 cvv *** to pay; need the billing case."
    )
    access.refresh_from_db()
    assert access.reason == expected
    assert CaseUserObjectPermission.objects.get(user=outsider).reason == expected
    assert case.events.get(kind=EventKind.BREAK_GLASS).body.endswith(f"Reason: {expected}")
    assert (
        logging.WARNING,
        f"card data redacted from case {case.pk} field reason",
    ) in redaction_logs(caplog)
    assert_no_card_data(caplog.text)
    assert BreakGlassAccess.objects.count() == 1


# --- end to end ----------------------------------------------------------------------------------

# A free-text field of each kind's details that has no pattern of its own, and valid details.
DETAIL_TEXT_FIELDS = {
    "general_information": (None, {}),
    "insurance": ("third_party_contact", {"inquiry_type": "eligibility"}),
    "refills": ("pharmacy", {"request_type": "refill", "medication": "lisinopril"}),
    "portal": ("browser", {"issue_type": "login"}),
    "care_navigation": ("specialty", {"request_type": "specialist"}),
}
SHORT_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)


# Hex digests and correlation ids: made by the system, and their digit runs can pass Luhn.
MACHINE_MADE = {"entry_hash", "prev_hash", "cid"}


def stored_texts() -> list[str]:
    """Every text and JSON column of every case, timeline event, category detail and patient
    row, of their history rows (simple-history), and of the audit trail."""
    detail_models = {spec.detail_model for spec in registry if spec.detail_model is not None}
    current = [Patient, Case, CaseEvent, *detail_models]
    history = [model.history.model for model in current if hasattr(model, "history")]
    assert len(history) >= 3  # patients, cases, details at least
    texts = []
    for model in [*current, *history, AuditEntry]:
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
            and field.attname not in MACHINE_MADE
        ]
        for row in model.objects.values_list(*columns):
            texts.extend(
                # The characters as stored, not JSON's \u escapes: an escaped lone surrogate
                # ("\udc28") followed by digits would read as more digits.
                json.dumps(value, ensure_ascii=False)
                if isinstance(value, dict | list)
                else str(value)
                for value in row
                if value
            )
    return texts


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(sorted(DETAIL_TEXT_FIELDS)),
    cards=st.lists(formatted_cards(), min_size=4, max_size=4),
    texts=st.lists(SHORT_TEXT, min_size=8, max_size=8),
)
def test_no_card_number_reaches_the_database(actor, kind, cards, texts):
    field, details = DETAIL_TEXT_FIELDS[kind]
    (subject_card, description_card, reply_card, detail_card) = (text for _, text in cards)
    details = dict(details)
    if field is not None:
        details[field] = texts[6] + detail_card + texts[7]
    case = case_open(
        actor=actor,
        patient=make_patient(actor),
        category=CategoryFactory(kind=kind),
        subject="Card " + texts[0] + subject_card + texts[1],
        description=texts[2] + description_card + texts[3],
        channel=Channel.CHAT,
        details=details,
    )
    case_add_note(
        actor=actor,
        case=case,
        body="Re: " + texts[4] + reply_card + texts[5],
        visibility=Visibility.PATIENT,
    )
    texts = stored_texts()
    # the reply's text is in its row, its history and the audit trail: all three were checked
    trail = [json.dumps(c) for c in AuditEntry.objects.values_list("changes", flat=True) if c]
    assert any("Re: " in text for text in trail)
    assert case.history.exists()  # its row versions were among the texts checked
    for text in texts:
        assert card_numbers_in(text) == [], text


@pytest.mark.django_db
def test_a_card_number_typed_into_a_search_box_is_not_kept_in_the_access_log(client, actor):
    from accounts.roles import Role, ensure_role_groups
    from compliance.models import AuditEntry as Entry

    reader = UserFactory(username="root", is_superuser=True, is_staff=True)
    reader.groups.add(ensure_role_groups()[Role.COMPLIANCE_OFFICER])  # issue 17: by role
    client.force_login(reader)
    response = client.get("/admin/cases/case/", {"q": "4111 1111 1111 1111"})
    assert response.status_code == 200
    (entry,) = Entry.objects.filter(action=Entry.Action.ACCESS)
    assert card_numbers_in(json.dumps(entry.additional_data)) == []
    assert entry.additional_data["access"]["query"]["q"].endswith("1111")


@pytest.mark.django_db
def test_review_notes_and_complaint_summaries_are_redacted(actor):
    from accounts.roles import Role, ensure_role_groups
    from cases.details import detail_for
    from complaints.services import complaint_acknowledge, complaint_respond
    from oversight.models import BreakGlassAccess
    from oversight.services import break_glass_open, break_glass_review
    from tests.factories import CategoryFactory, QueueFactory, UserFactory, make_case

    card = "4111 1111 1111 1111"
    groups = ensure_role_groups()
    complaint_case = make_case(
        actor=actor,
        category=CategoryFactory(kind="complaints"),
        details={"complaint_type": "billing", "severity": "low"},
    )
    complaint_acknowledge(actor=actor, case=complaint_case)
    complaint_respond(
        actor=actor, case=complaint_case, outcome="not_upheld", summary=f"Card {card} on file"
    )
    assert card not in detail_for(complaint_case).outcome_summary

    outsider = UserFactory(username="pci-outsider")
    outsider.groups.add(groups[Role.CLINICIAN])  # a role that may break the glass
    QueueFactory(name="Other", slug="other")
    reviewer = UserFactory(username="pci-reviewer")
    reviewer.groups.add(groups[Role.COMPLIANCE_OFFICER])
    access = break_glass_open(
        actor=outsider,
        reference=make_case(actor=actor).reference,
        reason="Caller in distress; need the open case for context now.",
    )
    break_glass_review(
        actor=reviewer, access=access, outcome="inappropriate", notes=f"Agent read {card} aloud"
    )
    assert card not in BreakGlassAccess.objects.get(pk=access.pk).review_notes
