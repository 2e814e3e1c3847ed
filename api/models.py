"""Models of the REST edge: idempotency records (api/idempotency.py)."""
