"""The PCI redactor (``compliance.pci``) on card numbers of every brand in every layout, written
in every digit script, next to each other and inside any text: generated with hypothesis and
checked with the independent scanner (tests/compliance/card_scanner.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.pci import holds_card_number, redact_card_data, redact_json
from tests.compliance.card_scanner import card_numbers_in
from tests.compliance.test_pci import ANY_TEXT, NUMBERY_TEXT, _luhn

# Brands by their prefixes and lengths (ISO/IEC 7812 ranges as the brands publish them).
BRANDS = {
    "visa": (["4"], [13, 16, 19]),
    "mastercard": (["51", "52", "53", "54", "55", "2221", "2720"], [16]),
    "amex": (["34", "37"], [15]),
    "discover": (["6011", "644", "65"], [16, 19]),
    "diners": (["36", "38", "300", "305"], [14]),
    "jcb": (["3528", "3589"], [16, 17, 18, 19]),
    "unionpay": (["62"], [16, 17, 18, 19]),
    "maestro": (["5018", "5020", "6304", "6759", "6761"], [13, 15, 16, 19]),
}
# Brand layouts (group sizes) and separators of every kind people, forms and URLs use.
LAYOUTS = {15: [4, 6, 5], 14: [4, 6, 4]}
SEPARATORS = [
    " ",
    "  ",
    "   ",
    "-",
    " - ",
    ".",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\u3000",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u2013",
    "\u2212",
    "%20",
    "+",
    "\t",
    "\n",
    "/",
    ",",
    "\\u00a0",
]
DIGIT_SETS = [
    "0123456789",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
]


@st.composite
def brand_cards(draw) -> str:
    """A Luhn-valid number of a brand's prefix and length."""
    prefixes, lengths = BRANDS[draw(st.sampled_from(sorted(BRANDS)))]
    prefix, length = draw(st.sampled_from(prefixes)), draw(st.sampled_from(lengths))
    body = prefix + draw(
        st.text("0123456789", min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1)
    )
    return body + next(digit for digit in "0123456789" if _luhn(body + digit))


@st.composite
def laid_out(draw, digits: str) -> str:
    """``digits`` in a layout: the brand's groups (4-6-5 Amex, 4-6-4 Diners, fours otherwise)
    or random groups, one separator (or none) between them, in one digit script."""
    script = draw(st.sampled_from(DIGIT_SETS))
    digits_written = "".join(script[int(char)] for char in digits)
    if draw(st.booleans()):
        sizes = LAYOUTS.get(len(digits)) or [4] * (len(digits) // 4) + (
            [len(digits) % 4] if len(digits) % 4 else []
        )
    else:
        sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=19))
    separator = draw(st.sampled_from(["", *SEPARATORS]))
    groups, start = [], 0
    for size in sizes:
        if start >= len(digits_written):
            break
        groups.append(digits_written[start : start + size])
        start += size
    if start < len(digits_written):
        groups.append(digits_written[start:])
    return separator.join(groups)


CONTEXTS = [
    ("", ""),
    ("card#", ""),
    ("tarjeta:", "."),
    ("My card is ", ", exp 12/28 cvv 123"),
    ('{"note": "pay with ', '"}'),
    ("/api/v1/cases/?ref=", "&page=2"),
    ("Visa", "thanks"),
    ("(", ")"),
    ("Call +1 202-555-0123 then ", " please"),
]


@given(digits=brand_cards(), data=st.data(), context=st.sampled_from(CONTEXTS))
@settings(max_examples=500)
def test_every_brand_in_every_layout_is_redacted(digits, data, context):
    text = context[0] + data.draw(laid_out(digits)) + context[1]
    redacted, count = redact_card_data(text)
    assert count >= 1
    assert card_numbers_in(redacted) == [], (text, redacted)
    assert not holds_card_number(redacted)
    assert redact_card_data(redacted) == (redacted, 0)  # idempotent
    assert len(redacted) <= len(text)


@given(
    cards=st.lists(brand_cards(), min_size=1, max_size=3),
    joiners=st.lists(
        st.sampled_from([" ", ", ", " / ", "\n", "-", " 12/28 ", " and "]), min_size=3
    ),
    before=st.one_of(ANY_TEXT, NUMBERY_TEXT),
)
@settings(max_examples=300)
def test_cards_next_to_each_other_and_to_other_numbers_are_all_redacted(cards, joiners, before):
    text = before + "".join(card + joiner for card, joiner in zip(cards, joiners, strict=False))
    redacted, _count = redact_card_data(text)
    assert card_numbers_in(redacted) == [], (text, redacted)
    assert redact_card_data(redacted) == (redacted, 0)


@given(text=st.one_of(ANY_TEXT, NUMBERY_TEXT, st.text("0123456789 -./,+%20*:", max_size=80)))
@settings(max_examples=500)
def test_redaction_is_idempotent_and_leaves_no_card_in_any_text(text):
    redacted, count = redact_card_data(text)
    assert card_numbers_in(redacted) == []
    assert redact_card_data(redacted) == (redacted, 0)
    assert holds_card_number(text) == bool(card_numbers_in(text))
    assert (count == 0) == (redacted == text)


def test_redact_json_redacts_every_string_and_key_at_any_depth():
    deep: list = ["4111 1111 1111 1111"]
    for _ in range(5000):
        deep = [deep]
    value = {"a": [1, {"4111111111111111": "x"}], "b": deep, "c": "plain"}
    redacted, count = redact_json(value)
    assert count == 2
    innermost = redacted["b"]
    while isinstance(innermost, list) and isinstance(innermost[0], list):
        innermost = innermost[0]
    assert innermost == ["411111******1111"]
    assert card_numbers_in(json.dumps(redacted["a"], ensure_ascii=False)) == []
    assert redacted["c"] == "plain" and redacted["a"][0] == 1
    assert value["a"][1] == {"4111111111111111": "x"}  # the original is not changed
    untouched = {"a": ["no card", 1]}
    assert redact_json(untouched) == (untouched, 0)
    assert redact_json(untouched)[0] is untouched


@given(
    st.from_regex(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00)?", fullmatch=True
    )
)
def test_the_timestamp_fast_path_skips_only_what_holds_no_card(text):
    """redact_card_data skips dates and times (the commonest digits in audit changes) unread:
    sound because none can hold a card number."""
    assert card_numbers_in(text) == []
    assert redact_card_data(text) == (text, 0)


# --- canonical UUIDs: identifiers, never card numbers ------------------------------------------

# Canonical UUIDs whose digits, dashes read as separators, hold a Luhn-valid run of 13-19
# digits: before this rule one random UUID v4 in a few thousand was refused as an
# Idempotency-Key (and failed a CI run).
_UUIDS_WITH_A_LUHN_RUN = (
    "7ee5e857-3489-4498-9143-40ff813fb5cd",
    "61502dee-3518-4376-8241-0ad1f6da7a63",
    "a0123246-7537-4466-a233-0a67aac0a780",
    "55555555-5555-4444-b000-000000000000",
)


@pytest.mark.parametrize("value", _UUIDS_WITH_A_LUHN_RUN)
def test_a_canonical_uuid_is_never_a_card_number(value):
    from compliance.pci import _redact_text  # the rule for text without a UUID in it

    assert _redact_text(value)[1] > 0  # read as bare digits, it would hold a card
    assert holds_card_number(value) is False
    assert redact_card_data(f"key {value}.") == (f"key {value}.", 0)


def test_a_card_beside_a_uuid_is_still_masked():
    uuid_text = _UUIDS_WITH_A_LUHN_RUN[0]
    assert redact_card_data(f"4111 1111 1111 1111 {uuid_text}") == (
        f"411111******1111 {uuid_text}",
        1,
    )
    assert holds_card_number(f"{uuid_text} and 4111-1111-1111-1111")
    # Not a UUID's shape (the first group is not 8 hex digits): judged as digits.
    assert holds_card_number("4111111111111111-1234-4234-8234-123456789012")


@given(st.uuids())
@settings(max_examples=3000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_no_random_uuid_is_refused(value):
    assert not holds_card_number(str(value))
    assert not holds_card_number(str(value).upper())
