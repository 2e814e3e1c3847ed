"""PCI DSS 3.3/3.4: card numbers (PAN) and card security codes (CVV) never reach the database,
the logs or an error message.

:func:`redact_card_data` is the redactor. It is applied in ONE place for stored data, the
*boundary* (``compliance.boundary``, docs/architecture/pci.md): a ``pre_save`` receiver for
every model of the project's apps (their history rows and the idempotency records included)
passes every text value through it, refuses card numbers in identifier fields that must stay
exact, and refuses any save whose text still holds a card number. The audit trail redacts its
entries as it seals them (``compliance.models.AuditEntry.prepare``), the log record factory
every log line (``compliance.logs``), the API every error body (``api.errors``), and
``compliance.middleware.CardDataEchoMiddleware`` every 4xx body and every form shown again after a
POST. The services' own calls (``cases.services`` …) remain, for their "card data redacted"
warnings with the case id. Pure
functions, compiled regular expressions, linear time in the length of the text.

Card numbers
    A *digit run* is a maximal stretch of digit groups joined by one to four *separators*. A
    digit is any Unicode decimal digit (``\\d``: ASCII, fullwidth U+FF10-U+FF19, Arabic-Indic
    U+0660-U+0669 …). A separator is any character that is not a letter, a digit, ``_``, ``:``
    (times of day), ``*`` (the mask) or ``"`` (JSON strings side by side are not one number):
    spaces of every kind (tabs, line breaks, non-breaking and the other Unicode spaces), dashes
    and minus signs, dots, commas, slashes, ``+``, ``#``, invisible format characters
    (zero-width space and joiners, soft hyphen, direction marks, BOM); or a URL escape of a
    space or of ``+ , - . /``, a non-breaking or a zero-width space (``%20``, ``%2B``, ``%2D``,
    ``%C2%A0``, ``%E2%80%8B`` …); or a JSON escape of a space-like character (``\\u00a0``,
    ``\\u200b``, ``\\u2009`` …). So ``4111 1111 1111 1111``, ``4111.1111.1111.1111``, ``4111
    1111 1111 1111``, ``4111%201111%201111%201111``, ``4111+1111+1111+1111``, ``3782 822463
    10005`` (Amex 4-6-5) and ``card#4111111111111111`` all hold a run of 15 or 16 digits.
    Letters, ``_``, ``:``, ``*``, a lone ``%`` or ``\\`` and five separators in a row end a run;
    nothing needs to stand before or after it (``tarjeta:4111…``, ``visa4111…``).

    A *card number* is a window of whole consecutive groups of a run with 13 to 19 digits that
    passes the Luhn check — every such window is judged, so a card is found alone, with a
    security code or an expiry joined to it (``4111 1111 1111 1111 123``,
    ``2028 4111 1111 1111 1111``), next to another card (``4111111111111111 5555555555554444``)
    or next to a phone number. Each card keeps its first 6 and last 4 digits; the digits between
    become ``*``; the groups from the first card's to the last card's are written without their
    separators, groups outside any card stay as they were: ``"4111 1111 1111 1111"`` →
    ``"411111******1111"``, ``"4111 1111 1111 1111 123"`` → ``"411111******1111 123"``. If
    what is left in clear forms a card with a neighbouring group, that is masked too (a second
    pass; a third masks every digit of a run that still holds a card, so the result never does
    and redaction is idempotent). No marker text is added: the redacted value is never longer
    than the original, so it still fits the field's ``max_length``.

    Left alone on purpose, because they are not card numbers: runs of fewer than 13 digits —
    phone numbers, also international ones up to 12 digits (``+52 55 1234 5678``,
    ``+44 20 7946 0958``), dates (``2026-03-01``, ``03/01/2026``), times (``10:30:00``: a
    colon ends a run), IPv4 addresses, MRNs (``DEMO100123``), amounts (``$1,234.56``), ZIP codes
    — runs of 13 or more digits none of whose windows passes Luhn, such as the 16-digit
    ``1234 5678 9012 3456``; the rest of a run around a card. Luhn is what tells a card
    number from any other number (9 in 10 random digit strings fail it), and masking every long
    number would destroy the identifiers agents work with. Accepted
    consequences:

    * an identifier, or numbers that happen to stand next to each other (two dates, a phone
      number and a claim number), whose groups form 13 to 19 digits passing Luhn are masked like
      a card: nothing can tell them apart. About 1 in 10 runs of 13 digits, and more of the
      longer ones (they hold several windows), are masked; so is, about 1 time in 3, a list of
      two phone numbers joined only by separators (``202-555-0123, 202-555-0199``);
    * 12-digit card numbers (a few Maestro cards) are not recognised: 12-digit numbers are too
      common (phone numbers with a country code, IPv4 addresses, UPC codes);
    * digits glued without a separator form one group, judged only as a whole
      (``54111111111111111`` is a 17-digit number, not a card with a 5 before it), and a group
      longer than 19 digits is never a card;
    * a UUID written in its canonical form (8-4-4-4-12 hexadecimal digits: the form a
      partner's ``Idempotency-Key`` or a correlation id takes) is an identifier, never a card,
      even when its digits happen to form a Luhn-valid run (about once in a few thousand random
      UUIDs: ``…-4446-655440000123``): it is left whole, and the text on either side of it is
      judged on its own. A hex digest or a UUID written without its dashes holds such a run as
      often: it is masked in free text and refused where the value must stay exact, and
      machine-made columns (hashes, tokens, signatures) are exempt from the boundary, each named
      in ``compliance.boundary``.

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
from typing import Any

MIN_CARD_DIGITS = 13
MAX_CARD_DIGITS = 19
KEEP_FIRST = 6
KEEP_LAST = 4
MASK = "*"
CVV_MASK = "***"
# At most this many separators between two groups of one run ("4111  1111", "4111%20%201111").
MAX_SEPARATORS = 4

# What may stand between the digit groups of a card number (module documentation): any character
# that is not a letter, a digit, "_", ":" (times), "*" (the mask), '"' (the end of a JSON string:
# two strings are not one number), "%" or "\\" (which start the escapes). No separator is a
# digit or starts with one, so a run has one reading and the expressions stay linear.
_SEPARATOR = (
    r"(?:[^\w:*%\\\"]"
    r"|%(?:20|2[bBcCdDeEfF]|[cC]2%[aA]0|[eE]2%80%8[bB])"
    r"|\\u(?:00[aA][0dD]|20[0-6][0-9a-fA-F]|[fF][eE][fF][fF]|3000))"
)
# Each repetition must consume digits after its separators: one way to match, linear time.
_DIGIT_RUN = re.compile(rf"\d+(?:{_SEPARATOR}{{1,{MAX_SEPARATORS}}}\d+)*")
_SEPARATORS = re.compile(rf"{_SEPARATOR}+")
_ANY_DIGIT = re.compile(r"\d")
# A UUID in its canonical form: an identifier, never judged as a card number.
_UUID = re.compile(
    r"(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"(?![0-9A-Za-z])"
)
# A date or time as Python and the audit trail write them (the commonest text with digits in an
# audit entry's changes): never a card — its longest stretch without a colon has 10 digits.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
# Bounded repetitions only: constant work at each place where a label starts.
_CVV = re.compile(
    r"(?P<label>\b(?:cvv2|cvc2|cvv|cvc|cid|csc|security\s{1,3}code"
    r"|c[oó]digo\s{1,3}de\s{1,3}seguridad)\b"
    r"(?:[^\w\n]{0,4}(?:is|es|was|era|of|de|code|c[oó]digo|number|num|no|n[uú]mero)\b){0,2}"
    r"[^\w\n]{0,4})"
    r"(?P<code>\d{3,4})(?!\d|[-.]\d)",
    re.IGNORECASE,
)
# Every label of _CVV contains one of these (casefolded): a cheap test before the expression.
_CVV_HINTS = ("cvv", "cvc", "cid", "csc", "security", "seguridad")
# Luhn: the value a digit adds in an even position from the right (doubled, digits summed).
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


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
        total += _DOUBLED[digit] if index % 2 else digit
    return total % 10 == 0


def _groups(run: str) -> list[tuple[int, int]]:
    """The (start, end) of each digit group of a run, in the run's text."""
    spans = []
    start = 0
    for separator in _SEPARATORS.finditer(run):
        spans.append((start, separator.start()))
        start = separator.end()
    spans.append((start, len(run)))
    return spans


def _card_windows(digits: list[int], offsets: list[int]) -> list[tuple[int, int, int, int]]:
    """The windows of whole groups with 13-19 digits that pass Luhn: (first group, last group,
    first digit, end digit). ``offsets[i]`` is where group ``i`` starts among ``digits``
    (``offsets[-1]`` is their count). Each window's Luhn sum is O(1) from prefix sums by
    position parity, so a run costs O(digits x 19)."""
    count = len(digits)
    # plain[p][k], doubled[p][k]: sums of the digits before k in positions of parity p.
    plain = ([0] * (count + 1), [0] * (count + 1))
    doubled = ([0] * (count + 1), [0] * (count + 1))
    for k, digit in enumerate(digits):
        for parity in (0, 1):
            same = k % 2 == parity
            plain[parity][k + 1] = plain[parity][k] + (digit if same else 0)
            doubled[parity][k + 1] = doubled[parity][k] + (_DOUBLED[digit] if same else 0)
    found = []
    groups = len(offsets) - 1
    for first in range(groups):
        begin = offsets[first]
        for last in range(first, groups):
            end = offsets[last + 1]
            length = end - begin
            if length > MAX_CARD_DIGITS:
                break
            if length < MIN_CARD_DIGITS:
                continue
            # The rightmost digit (end - 1) is not doubled, nor any of the same parity.
            keep = (end - 1) % 2
            total = (plain[keep][end] - plain[keep][begin]) + (
                doubled[1 - keep][end] - doubled[1 - keep][begin]
            )
            if total % 10 == 0:
                found.append((first, last, begin, end))
    return found


def _parse(run: str) -> tuple[list[tuple[int, int]], str, list[int]] | None:
    """(group spans, digits as written, group offsets among the digits), or None when the run
    has too few digits to hold a card."""
    spans = _groups(run)
    written = "".join(run[start:end] for start, end in spans)
    if len(written) < MIN_CARD_DIGITS:
        return None
    offsets = [0]
    for start, end in spans:
        offsets.append(offsets[-1] + end - start)
    return spans, written, offsets


def _redact_run(run: str, *, everything: bool = False) -> tuple[str, int]:
    """Mask the card numbers of one digit run; return the new text and 1, or the run and 0.
    ``everything``: mask every digit of a run that holds a card (the last pass)."""
    parsed = _parse(run)
    if parsed is None:
        return run, 0
    spans, written, offsets = parsed
    cards = _card_windows([int(char) for char in written], offsets)
    if not cards:
        return run, 0
    if everything:
        return _ANY_DIGIT.sub(MASK, run), 1
    masked = bytearray(len(written))
    for _first, _last, begin, end in cards:
        masked[begin + KEEP_FIRST : end - KEEP_LAST] = b"\x01" * (
            end - begin - KEEP_FIRST - KEEP_LAST
        )
    # Overlapping cards are one stretch, written without separators; the text between
    # stretches and around them stays as it was.
    stretches: list[list[int]] = []
    for first, last, _begin, _end in sorted(cards):
        if stretches and first <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], last)
        else:
            stretches.append([first, last])
    parts = []
    position = 0
    for first, last in stretches:
        parts.append(run[position : spans[first][0]])
        parts.append(
            "".join(
                MASK if masked[index] else written[index]
                for index in range(offsets[first], offsets[last + 1])
            )
        )
        position = spans[last][1]
    parts.append(run[position:])
    return "".join(parts), len(stretches)


def _long_runs(text: str) -> bool:
    """Is there a run long enough to hold a card? (The fast path for the texts that hold digits
    but no card: dates, amounts, phone numbers.)"""
    for match in _DIGIT_RUN.finditer(text):
        if match.end() - match.start() >= MIN_CARD_DIGITS and (
            sum(map(str.isdigit, match.group())) >= MIN_CARD_DIGITS
        ):
            return True
    return False


def _cards_pass(text: str, *, everything: bool = False) -> tuple[str, int]:
    if not _long_runs(text):
        return text, 0
    count = 0

    def card(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group()
        if len(run) < MIN_CARD_DIGITS:
            return run
        redacted, found = _redact_run(run, everything=everything)
        count += found
        return redacted

    return _DIGIT_RUN.sub(card, text), count


def redact_card_data(text: str) -> tuple[str, int]:
    """Return ``text`` with card numbers and card security codes masked, and how many there were.

    See the module documentation for the rules. Examples::

        "Card 4111 1111 1111 1111, exp 12/28"  → "Card 411111******1111, exp 12/28"
        "Amex 3782-822463-10005"               → "Amex 378282*****0005"
        "tarjeta 5555 5555 5555 4444 cvv 123"  → "tarjeta 555555******4444 cvv ***"   (2)
        "security code is 987"                 → "security code is ***"
        "Call +1 202-555-0123 about claim 1234567890123456 on 2026-03-01"  → unchanged (0)
    """
    # Shorter than "cid123" (the shortest code with its label) or a timestamp: nothing to mask.
    if len(text) < 6 or not _ANY_DIGIT.search(text) or _TIMESTAMP.fullmatch(text):
        return text, 0
    if "-" in text and _UUID.search(text):
        return _around_uuids(text)
    return _redact_text(text)


def _around_uuids(text: str) -> tuple[str, int]:
    """``text`` redacted piece by piece between its canonical UUIDs, which stay whole."""
    parts: list[str] = []
    total = 0
    position = 0
    for match in _UUID.finditer(text):
        piece, found = _redact_text(text[position : match.start()])
        parts.extend((piece, match.group()))
        total += found
        position = match.end()
    piece, found = _redact_text(text[position:])
    parts.append(piece)
    return "".join(parts), total + found


def _redact_text(text: str) -> tuple[str, int]:
    if not _ANY_DIGIT.search(text):
        return text, 0
    text, redactions = _cards_pass(text)
    codes = 0

    def cvv(match: re.Match[str]) -> str:
        nonlocal codes
        codes += 1
        return match.group("label") + CVV_MASK

    folded = text.casefold()
    if any(hint in folded for hint in _CVV_HINTS):
        text = _CVV.sub(cvv, text)
    if redactions or codes:
        # What a mask or a masked code left in clear may join a neighbouring group: judge the
        # runs again; a run that still holds a card after that loses all its digits.
        text, again = _cards_pass(text)
        if again:
            text, _ = _cards_pass(text, everything=True)
        redactions += again
    return text, redactions + codes


def holds_card_number(text: str) -> bool:
    """True if ``text`` holds a card number (13-19 digits passing Luhn, as above): what the
    boundary refuses in identifier fields and in anything left unredacted."""
    if len(text) < MIN_CARD_DIGITS or not _ANY_DIGIT.search(text) or _TIMESTAMP.fullmatch(text):
        return False
    if "-" in text and _UUID.search(text):
        return any(holds_card_number(piece) for piece in _UUID.split(text))
    for match in _DIGIT_RUN.finditer(text):
        if match.end() - match.start() < MIN_CARD_DIGITS:
            continue
        parsed = _parse(match.group())
        if parsed is None:
            continue
        _spans, written, offsets = parsed
        if _card_windows([int(char) for char in written], offsets):
            return True
    return False


def redact_json(value: Any) -> tuple[Any, int]:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with every string — keys too —
    redacted, and the number of redactions; the very same object when there were none. A copy
    is built without recursion, so any depth is fine (tuples come back as lists)."""
    count = 0

    def text(string: str) -> str:
        nonlocal count
        redacted, found = redact_card_data(string)
        count += found
        return redacted

    if isinstance(value, str):
        redacted = text(value)
        return (redacted, count) if count else (value, 0)
    if not isinstance(value, dict | list | tuple) or not _holds_card_data(value):
        return value, 0
    copy: dict | list = {} if isinstance(value, dict) else []
    stack = [(value, copy)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, dict | list | tuple):
                child: Any = {} if isinstance(item, dict) else []
                stack.append((item, child))
            else:
                child = text(item) if isinstance(item, str) else item
            if isinstance(target, dict):
                target[text(key) if isinstance(key, str) else key] = child
            else:
                target.append(child)
    return (copy, count) if count else (value, 0)


def _holds_card_data(value: dict | list | tuple) -> bool:
    """Does any string of a JSON value (keys too) have something to redact? A walk without
    copies: the common answer is no, and then ``redact_json`` builds nothing."""
    stack: list[Any] = [value]
    while stack:
        container = stack.pop()
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, item in items:
            for part in (key, item):
                if isinstance(part, str):
                    if len(part) > 5 and _ANY_DIGIT.search(part) and redact_card_data(part)[1]:
                        return True
                elif isinstance(part, dict | list | tuple):
                    stack.append(part)
    return False


__all__ = ["holds_card_number", "luhn_valid", "redact_card_data", "redact_json"]
