"""A scanner for card numbers left in stored text, written apart from ``compliance.pci`` so that the
tests check the redactor rather than repeat it: plain loops, every window tried the slow way.

It reports what PCI DSS forbids storing: a Luhn-valid number of 13 to 19 digits. The digits may
be any Unicode decimal digits, written with separators of any kind between them: one to four
characters that are not letters, digits, ``_``, ``:``, ``*`` or ``"`` (spaces of every kind, dashes,
dots, commas, slashes, ``+``, ``#``, zero-width and other invisible characters), or the URL and
JSON escapes of spaces (``%20``, ``%C2%A0``, ``\\u00a0`` …). A number is any window of whole
digit groups (digits written together are one group). Not separators: ``:`` (times of day would
join a timestamp's fields into long numbers), ``*`` (the mask: ``411111******1111`` is not
sixteen digits), ``"`` (in stored JSON, two strings side by side — an audit entry's old and new
timestamp — are not one number), letters and ``_``.
"""

from __future__ import annotations

import json
import re
import unicodedata

_ESCAPE = re.compile(
    r"%(?:20|2[bcdef]|c2%a0|e2%80%8b)|\\u(?:00a0|00ad|20[0-6][0-9a-f]|feff|3000)", re.IGNORECASE
)


def _luhn(digits: list[int]) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = digit * (2 if position % 2 else 1)
        total += value // 10 + value % 10
    return total % 10 == 0


def _is_separator(char: str) -> bool:
    return not (char.isalnum() or char in '_:*%\\"')


def _runs(text: str) -> list[list[list[int]]]:
    """The runs of ``text``: each a list of digit groups, each a list of digit values."""
    runs: list[list[list[int]]] = []
    groups: list[list[int]] = []
    group: list[int] = []
    separators = 0

    def end_group() -> None:
        nonlocal group
        if group:
            groups.append(group)
            group = []

    def end_run() -> None:
        nonlocal groups
        end_group()
        if groups:
            runs.append(groups)
            groups = []

    index = 0
    while index < len(text):
        char = text[index]
        escape = _ESCAPE.match(text, index)
        if unicodedata.category(char) == "Nd":
            if not group and not 1 <= separators <= 4:
                end_run()
            group.append(unicodedata.digit(char))
            separators = 0
            index += 1
        elif escape is not None or _is_separator(char):
            end_group()
            separators += 1
            index = escape.end() if escape is not None else index + 1
        else:
            end_run()
            separators = 0
            index += 1
    end_run()
    return runs


def card_numbers_in(text: str) -> list[str]:
    """The Luhn-valid numbers of 13 to 19 digits in ``text`` (as digit strings)."""
    found = []
    for groups in _runs(text or ""):
        for first in range(len(groups)):
            digits: list[int] = []
            for group in groups[first:]:
                digits = digits + group
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _luhn(digits):
                    found.append("".join(map(str, digits)))
    return found


def card_numbers_in_value(value) -> list[str]:
    """For a stored value: its text, and for JSON the text of every string inside it too."""
    if value is None:
        return []
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    found = card_numbers_in(text)
    if text[:1] in '[{"':
        try:
            decoded = json.loads(text)
        except ValueError:
            return found
        found += card_numbers_in(json.dumps(decoded, ensure_ascii=False))
    return found
