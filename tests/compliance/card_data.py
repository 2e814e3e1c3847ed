"""Card texts and the stored-data scan of the acceptance test
(tests/compliance/test_no_card_data_stored.py): card numbers of every brand in every layout, and a
scan of every column of every table (found by database introspection) and of captured logs."""

from __future__ import annotations

import itertools
import json
import re

from django.db import connection

from tests.compliance.card_scanner import card_numbers_in, card_numbers_in_value

# (table, column): why it is not scanned.
MACHINE_MADE = {
    ("compliance_auditseal", "entry_hash"): "SHA-256 of the entry (hex)",
    ("compliance_auditseal", "prev_hash"): "SHA-256 of the previous entry (hex)",
    ("compliance_auditentry", "cid"): "a random correlation id (uuid4 hex), made by the server",
    ("compliance_chainverification", "head_hash"): "SHA-256 of an entry (hex)",
    ("accounts_user", "password"): "a salted password hash",
    ("partners_servicetoken", "digest"): "SHA-512 digest of a token (hex)",
    ("partners_servicetoken", "token_key"): "a token's random prefix",
    ("knox_authtoken", "digest"): "SHA-512 digest of a token (hex)",
    ("knox_authtoken", "token_key"): "a token's random prefix",
    ("api_idempotencyrecord", "fingerprint"): "SHA-256 of a request (hex)",
    ("django_session", "session_key"): "a random session key",
    ("django_session", "session_data"): "signed, encoded session data",
    ("webhooks_webhookendpoint", "secret"): "a random signing secret",
    ("webhooks_webhookendpoint", "previous_secret"): "a random signing secret",
    ("console_presence", "channel_name"): "the channel layer's random socket name",
}

# Test card numbers of every brand (Luhn-valid; the brands' published test numbers where there is
# one): Visa 13/16/19, Mastercard (5 and 2 series), Amex, Discover, Diners 14, JCB, UnionPay 19,
# Maestro.
CARDS = [
    "4111111111111111",
    "4222222222222",
    "4111111111111111110",
    "5555555555554444",
    "2223003122003222",
    "378282246310005",
    "6011111111111117",
    "30569309025904",
    "3530111333300000",
    "6212345678901234569",
    "6759649826438453",
]
FULLWIDTH = {ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}
ARABIC_INDIC = {ord(d): chr(0x0660 + int(d)) for d in "0123456789"}


def _groups(digits: str) -> list[str]:
    sizes = {15: [4, 6, 5], 14: [4, 6, 4]}.get(len(digits), [4, 4, 4, 4, 4])
    out, start = [], 0
    for size in sizes:
        if start < len(digits):
            out.append(digits[start : start + size])
            start += size
    if start < len(digits):
        out.append(digits[start:])
    return out


# Layouts: how people, forms, e-mail clients and URLs write a card number.
LAYOUTS = [
    lambda d: d,
    lambda d: " ".join(_groups(d)),
    lambda d: "  ".join(_groups(d)),
    lambda d: "-".join(_groups(d)),
    lambda d: ".".join(_groups(d)),
    lambda d: "\u00a0".join(_groups(d)),
    lambda d: "\u2009".join(_groups(d)),
    lambda d: "\u200b".join(d),
    lambda d: " ".join(_groups(d)).translate(FULLWIDTH),
    lambda d: d.translate(ARABIC_INDIC),
    lambda d: "card#" + d,
    lambda d: "tarjeta:" + "-".join(_groups(d)),
    lambda d: json.dumps({"pan": " ".join(_groups(d))}),
    lambda d: "%20".join(_groups(d)),
    lambda d: "+".join(_groups(d)),
    lambda d: "\u2013".join(_groups(d)) + " cvv 123",
]


class Cards:
    """An endless supply of card texts: every brand in every layout, in turn."""

    def __init__(self) -> None:
        self._next = (
            layout(card) for layout, card in itertools.cycle(itertools.product(LAYOUTS, CARDS))
        )
        self.used = 0

    def __call__(self, before: str = "", after: str = "") -> str:
        self.used += 1
        return before + next(self._next) + after


# --- the scan -------------------------------------------------------------------------------------


def scan_database() -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """Every column of every table: (table, column, value) of each card number found; and the
    number of values read per table."""
    found, read = [], {}
    introspection = connection.introspection
    with connection.cursor() as cursor:
        tables = introspection.table_names(cursor)
        for table in tables:
            columns = [column.name for column in introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            read[table] = len(rows) * len(columns)
            for row in rows:
                for column, value in zip(columns, row, strict=True):
                    if (table, column) in MACHINE_MADE or value is None:
                        continue
                    for number in card_numbers_in_value(value):
                        found.append((table, column, str(value)[:200]))
                        del number
    return found, read


def page_text(response) -> str:
    """A page as its reader sees it: without the icons' SVG geometry (numbers, not text)."""
    return re.sub(r"<svg\b.*?</svg>", "", response.content.decode(), flags=re.DOTALL)


def scan_logs(caplog) -> list[str]:
    found = []
    for record in caplog.records:
        message = record.getMessage()
        if card_numbers_in(message):
            found.append(message[:200])
    if card_numbers_in(caplog.text):
        found.append("caplog.text")
    return found
