"""TLS to Redis (docs/operations/security.md, "TLS to PostgreSQL and Redis").

A ``rediss://`` ``REDIS_URL`` reaches its three users differently:

* channels-redis and Django's Redis cache hand the URL to redis-py (``from_url``), which checks
  the server's certificate and host name by default; ``ssl_ca_certs=/path/ca.pem`` (and
  ``ssl_certfile`` / ``ssl_keyfile`` for a client certificate) in the URL's query string are
  passed through.
* Celery's broker (kombu) does **not**: a ``rediss://`` URL without ``ssl_cert_reqs`` in its
  query string is connected with ``CERT_NONE`` — encrypted, but to whoever answers — after a
  warning. ``broker_ssl_options`` gives Celery's documented ``broker_use_ssl`` the same checks
  redis-py makes, from the same URL.
"""

from __future__ import annotations

import ssl
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

_CERT_REQS = {
    "required": ssl.CERT_REQUIRED,
    "cert_required": ssl.CERT_REQUIRED,
    "optional": ssl.CERT_OPTIONAL,
    "cert_optional": ssl.CERT_OPTIONAL,
    "none": ssl.CERT_NONE,
    "cert_none": ssl.CERT_NONE,
}
_FILES = ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile")


def broker_ssl_options(url: str, *, production: bool) -> dict | None:
    """Celery's ``broker_use_ssl`` for ``url``: None unless it is ``rediss://``. The certificate
    is required and its host name checked unless the URL says otherwise, which production
    refuses."""
    parts = urlsplit(url)
    if parts.scheme != "rediss":
        return None
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    requirement = query.get("ssl_cert_reqs", "required").lower()
    if requirement not in _CERT_REQS:
        raise ImproperlyConfigured(
            f"REDIS_URL: ssl_cert_reqs must be required, optional or none, not {requirement!r}."
        )
    check_hostname = query.get("ssl_check_hostname", "true").lower() not in ("false", "0", "no")
    if production and (_CERT_REQS[requirement] != ssl.CERT_REQUIRED or not check_hostname):
        raise ImproperlyConfigured(
            "DJANGO_ENV=production: REDIS_URL must check the Redis server's certificate and "
            "host name (leave out ssl_cert_reqs and ssl_check_hostname, or set them to "
            "required and true)."
        )
    options: dict = {
        "ssl_cert_reqs": _CERT_REQS[requirement],
        "ssl_check_hostname": check_hostname,
    }
    options.update({name: query[name] for name in _FILES if query.get(name)})
    return options
