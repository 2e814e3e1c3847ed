"""Signed anchors of the audit chain's head, kept outside the database
(docs/architecture/audit.md, "Anchors").

``write_anchor`` signs the head (the last seal: chain index and hash) with the deployment's
Ed25519 key and appends it as one JSON line to ``AUDIT_ANCHOR_FILE`` (and sends it to
``AUDIT_ANCHOR_SYSLOG`` when set), every ``AUDIT_ANCHOR_SECONDS`` (celery beat; ``run_timers``)
and on ``manage.py audit_anchor``. ``latest_anchor`` reads the newest line back and checks its
signature; the verification compares the chain with it, so that a chain rewritten or cut short by
someone who controls the database — a superuser — is still found.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from compliance.sealer import chain_head

logger = logging.getLogger("compliance.anchor")

SIGNED_FIELDS = ("chain_index", "entry_hash", "anchored_at", "key_id")


@dataclass
class Anchor:
    chain_index: int
    entry_hash: str
    anchored_at: str
    key_id: str

    def describe(self) -> str:
        return f"the signed anchor of {self.anchored_at} at entry {self.chain_index}"


class AnchorError(Exception):
    """The latest anchor cannot be trusted: unreadable, or its signature does not verify."""


# --- keys ---------------------------------------------------------------------------------------


def _key_file() -> Path | None:
    value = getattr(settings, "AUDIT_ANCHOR_KEY_FILE", None)
    return Path(value) if value else None


def generate_key(path: Path) -> None:
    """Write a new Ed25519 private key (PEM, PKCS #8), readable by its owner only."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def private_key() -> Ed25519PrivateKey:
    path = _key_file()
    if path is None:
        raise ImproperlyConfigured("Set AUDIT_ANCHOR_KEY_FILE to sign audit anchors.")
    if not path.exists() and getattr(settings, "AUDIT_ANCHOR_CREATE_KEY", False):
        generate_key(path)  # the embedded default: a key of its own, made on first use
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key.")
    return key


def public_key() -> Ed25519PublicKey:
    """``AUDIT_ANCHOR_PUBLIC_KEY_FILE`` when set (a verifier that must not hold the signing key),
    else the public half of the signing key."""
    value = getattr(settings, "AUDIT_ANCHOR_PUBLIC_KEY_FILE", None)
    if value:
        key = serialization.load_pem_public_key(Path(value).read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured(f"{value} is not an Ed25519 public key.")
        return key
    return private_key().public_key()


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _message(record: dict) -> bytes:
    signed = {name: record[name] for name in SIGNED_FIELDS}
    return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode("utf-8")


# --- writing ------------------------------------------------------------------------------------


def anchor_file() -> Path | None:
    value = getattr(settings, "AUDIT_ANCHOR_FILE", None)
    return Path(value) if value else None


def write_anchor(*, using: str | None = None) -> dict | None:
    """Sign the chain's head and keep it outside the database; the record written, or None when
    nothing is sealed yet."""

    using = using or "default"
    head = chain_head(using)
    if head is None:
        return None
    key = private_key()
    record = {
        "chain_index": head[0],
        "entry_hash": head[1],
        "anchored_at": timezone.now().isoformat(),
        "key_id": key_id(key.public_key()),
    }
    record["signature"] = base64.b64encode(key.sign(_message(record))).decode("ascii")
    line = json.dumps(record, sort_keys=True, separators=(",", ":"))
    path = anchor_file()
    target = getattr(settings, "AUDIT_ANCHOR_SYSLOG", "")
    if path is None and not target:
        raise ImproperlyConfigured("Set AUDIT_ANCHOR_FILE or AUDIT_ANCHOR_SYSLOG to keep anchors.")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    if target:
        _send_to_syslog(target, line)
    return record


def _send_to_syslog(target: str, line: str) -> None:
    """``host:port`` (UDP) or a socket path such as /dev/log."""
    if target.startswith("/"):
        address: str | tuple[str, int] = target
    else:
        host, _, port = target.rpartition(":")
        address = (host or "localhost", int(port or 514))
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH
    )
    try:
        handler.emit(logging.makeLogRecord({"msg": f"patientcare-audit-anchor {line}"}))
    finally:
        handler.close()


# --- reading ------------------------------------------------------------------------------------


def parse_anchor(line: str, key: Ed25519PublicKey) -> Anchor:
    """One anchor line, its signature checked; ``AnchorError`` when it cannot be trusted."""
    try:
        record = json.loads(line)
        anchor = Anchor(
            chain_index=int(record["chain_index"]),
            entry_hash=str(record["entry_hash"]),
            anchored_at=str(record["anchored_at"]),
            key_id=str(record["key_id"]),
        )
        signature = base64.b64decode(record["signature"], validate=True)
        message = _message(record)
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"the latest anchor is unreadable ({type(exc).__name__})") from exc
    try:
        key.verify(signature, message)
    except InvalidSignature as exc:
        raise AnchorError(
            f"the latest anchor (entry {anchor.chain_index}, {anchor.anchored_at}) has an "
            "invalid signature"
        ) from exc
    return anchor


def latest_anchor(path: Path | None = None) -> Anchor | None:
    """The newest anchor of ``path`` (default ``AUDIT_ANCHOR_FILE``), signature checked; None when
    there is none yet; ``AnchorError`` when it cannot be trusted."""
    path = path or anchor_file()
    if path is None or not path.exists():
        return None
    last = ""
    with path.open("rb") as handle:  # the last line, without reading a long file whole
        handle.seek(0, os.SEEK_END)
        position = handle.tell()
        chunk = b""
        while position > 0 and chunk.strip().count(b"\n") < 1:
            step = min(4096, position)
            position -= step
            handle.seek(position)
            chunk = handle.read(step) + chunk
        lines = [line for line in chunk.decode("utf-8", errors="replace").splitlines() if line]
        last = lines[-1] if lines else ""
    if not last.strip():
        return None
    return parse_anchor(last, public_key())
