"""PCI DSS 3.4 for logs: no log line holds a card number, whoever emits it (docs: pci.md).

:func:`install` (``ComplianceConfig.ready``) wraps the process's log record factory
(``logging.setLogRecordFactory``, the public hook every ``Logger`` uses to make its records), so
every record of every logger — the project's, Django's (``django.request`` logs the path of a bad
request, query string included), the libraries', and what pytest's ``caplog`` captures — is
redacted when it is made, before any handler, filter or formatter sees it:

* the message: formatted once (``record.getMessage()``) and, if the redactor masked something,
  kept as the formatted, redacted text with no arguments left to format;
* the exception text and stack of a record logged with ``exc_info``/``stack_info`` (an
  exception's message may quote its input): formatted as the standard formatter would and kept
  in ``exc_text``, which formatters reuse, only when the redactor masked something.

Records the factory does not make (``logging.makeLogRecord`` of a record received from another
process) are redacted by that process.
"""

from __future__ import annotations

import logging

from compliance.pci import redact_card_data

_FORMATTER = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask card numbers in ``record``'s message, exception text and stack (in place)."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it when the record is emitted
        message = None
    if message is not None:
        redacted, found = redact_card_data(message)
        if found:
            record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        text = _FORMATTER.formatException(record.exc_info)
        redacted, found = redact_card_data(text)
        if found:
            record.exc_text = redacted
    if record.stack_info:
        record.stack_info = redact_card_data(record.stack_info)[0]
    return record


def install() -> None:
    """Make every log record of this process pass :func:`redact_record` (once)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts_card_data", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    factory.redacts_card_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
