"""Liveness/readiness probe for load balancers: checks the database, says nothing else."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # a probe reports, it does not raise
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
