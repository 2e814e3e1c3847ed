"""The API's only parser: JSON, strict (no NaN/Infinity), and safe against bodies nested so deeply
that the decoder runs out of stack (a RecursionError would otherwise be a 500), and against text
no response or database can carry: NUL (PostgreSQL refuses it) and lone surrogates (not UTF-8),
anywhere in the body, keys included — echoed back in a 400 they would otherwise make a 500."""

from __future__ import annotations

import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
DEEP_BODY_MESSAGE = "JSON parse error - the body is nested too deeply."


def _has_unsafe_text(data) -> bool:
    """Any NUL or lone surrogate in the parsed body (iteratively: the body may be deep)."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _UNSAFE_TEXT.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(DEEP_BODY_MESSAGE) from None
        if _has_unsafe_text(data):
            raise ParseError(
                "JSON parse error - the body contains a NUL character or an unpaired surrogate."
            )
        return data
