"""The audit middleware: auditlog's, with the request user, a client address that cannot be
spoofed by the client, and a server-made correlation id shared by every entry of the request."""

from __future__ import annotations

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
        token = correlation_id.set(uuid.uuid4().hex)
        try:
            with set_extra_data(context_data=self.get_extra_data(request)):
                return self.get_response(request)
        finally:
            correlation_id.reset(token)
