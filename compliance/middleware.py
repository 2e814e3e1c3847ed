"""The audit middleware: auditlog's, with the request user as the actor (``acting_as``), a client
address that cannot be spoofed by the client, and a server-made correlation id shared by every
entry of the request."""

from __future__ import annotations

import contextlib
import re
import uuid

from auditlog.cid import correlation_id
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware

from compliance.access_log import client_address


class AuditMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        return None  # X-Forwarded-Port is the client's to choose; the port is not evidence

    def __call__(self, request):
        from compliance.audit import acting_as

        token = correlation_id.set(uuid.uuid4().hex)
        try:
            context = self.get_extra_data(request)
            # The request user is the actor of what is written without a service's own actor
            # (admin saves); a service's ``acting_as`` inside takes precedence.
            actor = context.get("actor")
            acting = acting_as(actor) if actor is not None else contextlib.nullcontext()
            with set_extra_data(context_data=context), acting:
                return self.get_response(request)
        finally:
            correlation_id.reset(token)


_SVG = re.compile(r"(<svg\b.*?</svg>)", re.DOTALL | re.IGNORECASE)


class CardDataEchoMiddleware:
    """PCI DSS 3.4: a response never repeats a card number the request sent.

    Error bodies (4xx: the API's error format, the console's refused forms, Django's own error
    pages) and pages re-shown after a POST (a form with errors: the admin answers 200 with the
    typed values and messages such as "'4111…' is not a valid choice") have their card numbers
    masked (``compliance.pci``) before they leave. Successful POSTs redirect or answer with
    stored, already redacted data (the API's JSON), and are left alone; so is every GET.
    Cost: nothing for other responses; one pass of the redactor over the body for these."""

    TEXT_TYPES = ("text/", "application/json", "application/problem+json")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        reshown_form = request.method == "POST" and status == 200
        if not (400 <= status < 500 or reshown_form) or response.streaming:
            return response
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(self.TEXT_TYPES):
            return response
        if reshown_form and not content_type.startswith("text/html"):
            return response
        from compliance.pci import redact_card_data

        charset = response.charset or "utf-8"
        text = response.content.decode(charset, errors="replace")
        if content_type.startswith("text/html"):
            # Icon geometry (<svg> paths: "1.414-1.414 2.121-2.121 …") is numbers, not what
            # anyone typed; user text in a page is escaped, so it never opens an <svg>.
            parts = _SVG.split(text)
            found = 0
            for index in range(0, len(parts), 2):
                parts[index], count = redact_card_data(parts[index])
                found += count
            redacted = "".join(parts)
        else:
            redacted, found = redact_card_data(text)
        if found:
            response.content = redacted.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
