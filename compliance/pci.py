"""PCI DSS 3.3/3.4: card numbers (PAN) and card security codes (CVV) never reach the database.

:func:`redact_card_data` is applied to every free-text value on the write path (``cases.services``,
``cases.details``, ``compliance.services``) before it is validated and stored. Pure functions,
compiled regular expressions, linear time in the length of the text.

Card numbers
    A *digit run* is a maximal stretch of ASCII digit groups joined by single spaces or dashes:
    ``4111 1111 1111 1111``, ``3782-822463-10005`` and ``4111111111111111`` are runs of 16, 15
    and 16 digits (the same notion of a run as ``billing_inquiries.models.not_a_card_number``).
    A run is judged as one number: it is a card number if it has 12 to 19 digits and passes the
    Luhn check. One exception: a run of more than 16 digits may be a card with its security
    code, expiry month or year written right after or before it (``4111 1111 1111 1111 123``,
    ``4111 1111 1111 1111 12/28``); so without its last group, and without its first group, if
    that group has at most 4 digits, the rest is judged too, and is a card number if it has 12
    to 19 digits and passes the Luhn check. The short group is left as is.

    A card number is replaced by its digits only, without separators, keeping the first 6 and
    the last 4 and masking the middle with ``*``: ``"4111 1111 1111 1111"`` →
    ``"411111******1111"``, ``"4111 1111 1111 1111 123"`` → ``"411111******1111 123"``. If more
    than one reading of a run passes Luhn, the masks of all of them apply. The digits left in
    clear (at most 10 in a row, counting a joined short group) never form a new card number, so
    redaction is one pass and idempotent. No marker text is added: the redacted value is never
    longer than the original, so it still fits the field's ``max_length``.

    Left alone on purpose, because they are not card numbers: runs of fewer than 12 digits —
    phone numbers (``+1 202-555-0123``, ``(202) 555-0123``), dates (``2026-03-01``,
    ``03/01/2026``), MRNs (``DEMO100123``), amounts (``$1,234.56``), ZIP codes (``20001-1234``) —
    runs of more than 19 digits, and runs of 12 to 19 digits that fail the Luhn check, such as a
    numeric claim number or the 16-digit ``1234 5678 9012 3456``. Luhn is what tells a card
    number from any other number (about 9 in 10 random digit strings fail it), and masking every
    long number would destroy the identifiers agents work with. Accepted consequences:

    * an identifier that happens to pass Luhn is masked like a card: nothing can tell them
      apart; so are two numbers joined only by a space or a dash into 12 to 19 digits that happen
      to pass it (``2026-03-01 2026-03-02``, about 1 time in 10);
    * digits glued to a card without a separator make another, longer number
      (``54111111111111111``) judged as a whole; so does a card with more than 4 digits, or
      short groups on both sides, joined to it, or a 12-15 digit card with a group joined to it
      within 16 digits (``1234 5678 9012 3456`` is one 16-digit number, not a 12-digit card and
      a code);
    * only ASCII digits count, and only one space or one dash between groups: dots, slashes,
      commas, double spaces and other characters end a run (``4111.1111.1111.1111`` is four runs).

Card security codes
    3 or 4 digits after ``cvv``, ``cvv2``, ``cvc``, ``cvc2``, ``cid``, ``csc``, ``security code``
    or ``código de seguridad`` (accent optional, any case), optionally separated by a few
    punctuation marks and up to two filler words (``is``, ``es``, ``was``, ``number``,
    ``número``, ``code``, …), become ``***``: ``"cvv 123"`` → ``"cvv ***"``, ``"CVC: 1234"`` →
    ``"CVC: ***"``, ``"security code is 987"`` → ``"security code is ***"``,
    ``"código de seguridad es 456"`` → ``"código de seguridad es ***"``. Digits followed by more
    digits, or by a dash or dot and a digit, are not a code (``CID 202-555-0123``: caller id and a
    phone number); followed by a space and digits they are (``CVV 123 4111…``), so
    ``cid 202 555 0123`` loses its area code. A code written before its label (``123 is the
    cvv``) is not recognised. Codes are masked after card numbers, and a run shortened by a
    masked code is judged again.
"""

from __future__ import annotations

import re
from itertools import accumulate

MIN_CARD_DIGITS = 12
MAX_CARD_DIGITS = 19
# A run of more than this many digits may be a card with a short group joined to it.
ONE_NUMBER_MAX_DIGITS = 16
MAX_JOINED_GROUP_DIGITS = 4
KEEP_FIRST = 6
KEEP_LAST = 4
MASK = "*"
CVV_MASK = "***"

# Each repetition must consume a separator, so there is one way to match a run: linear time.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_ANY_DIGIT = re.compile(r"[0-9]")
# Bounded repetitions only: constant work at each place where a label starts.
_CVV = re.compile(
    r"(?P<label>\b(?:cvv2|cvc2|cvv|cvc|cid|csc|security\s{1,3}code"
    r"|c[oó]digo\s{1,3}de\s{1,3}seguridad)\b"
    r"(?:[^\w\n]{0,4}(?:is|es|was|era|of|de|code|c[oó]digo|number|num|no|n[uú]mero)\b){0,2}"
    r"[^\w\n]{0,4})"
    r"(?P<code>[0-9]{3,4})(?![0-9]|[-.][0-9])",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    """True if ``digits`` (ASCII digits only, at least one) passes the Luhn (mod 10) check.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112"), luhn_valid("4111 1111")
    (True, False, False)
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS and luhn_valid(digits)


def _redact_run(run: str) -> tuple[str, int]:
    """Redact the card number in one digit run; return the new text and 1, or the run and 0."""
    digit_count = len(run) - run.count(" ") - run.count("-")
    if not MIN_CARD_DIGITS <= digit_count <= MAX_CARD_DIGITS + MAX_JOINED_GROUP_DIGITS:
        return run, 0
    spans = [match.span() for match in _DIGIT_GROUP.finditer(run)]
    groups = [run[start:end] for start, end in spans]
    digits = "".join(groups)
    offsets = list(accumulate((len(group) for group in groups), initial=0))
    last = len(groups) - 1
    # (first group, last group): the whole run, or the run without a short group at either end.
    candidates = [(0, last)]
    if digit_count > ONE_NUMBER_MAX_DIGITS and last > 0:
        if len(groups[-1]) <= MAX_JOINED_GROUP_DIGITS:
            candidates.append((0, last - 1))
        if len(groups[0]) <= MAX_JOINED_GROUP_DIGITS:
            candidates.append((1, last))
    cards = [(a, b) for a, b in candidates if _is_card(digits[offsets[a] : offsets[b + 1]])]
    if not cards:
        return run, 0
    # Each card keeps at most its first 6 and last 4 digits; if more than one reading of the run
    # passes Luhn, every one of them is masked.
    masked = bytearray(digit_count)
    for a, b in cards:
        begin, end = offsets[a] + KEEP_FIRST, offsets[b + 1] - KEEP_LAST
        masked[begin:end] = b"\x01" * (end - begin)
    first, last = min(a for a, _ in cards), max(b for _, b in cards)
    redacted = "".join(
        MASK if masked[index] else digits[index]
        for index in range(offsets[first], offsets[last + 1])
    )
    return run[: spans[first][0]] + redacted + run[spans[last][1] :], 1


def redact_card_data(text: str) -> tuple[str, int]:
    """Return ``text`` with card numbers and card security codes masked, and how many there were.

    See the module documentation for the rules. Examples::

        "Card 4111 1111 1111 1111, exp 12/28"  → "Card 411111******1111, exp 12/28"
        "Amex 3782-822463-10005"               → "Amex 378282*****0005"
        "tarjeta 5555 5555 5555 4444 cvv 123"  → "tarjeta 555555******4444 cvv ***"   (2)
        "security code is 987"                 → "security code is ***"
        "Call +1 202-555-0123 about claim 1234567890123456 on 2026-03-01"  → unchanged (0)
    """
    if not text or not _ANY_DIGIT.search(text):
        return text, 0
    redactions = 0

    def card(match: re.Match[str]) -> str:
        nonlocal redactions
        redacted, count = _redact_run(match.group())
        redactions += count
        return redacted

    def cvv(match: re.Match[str]) -> str:
        nonlocal redactions
        redactions += 1
        return match.group("label") + CVV_MASK

    text = _DIGIT_RUN.sub(card, text)
    masked_codes = redactions
    text = _CVV.sub(cvv, text)
    if redactions > masked_codes:
        # A code masked in a run ("cvv 123 4111 1111 1111 1111 0") leaves a shorter run: judge it.
        text = _DIGIT_RUN.sub(card, text)
    return text, redactions


__all__ = ["luhn_valid", "redact_card_data"]
