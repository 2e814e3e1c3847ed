"""Sealing: the audit entries a transaction makes are chained and written at the end of the atomic
block that made them, in one statement (docs/architecture/audit.md, "Writing entries").

An audited change (auditlog's receivers, through ``AuditEntryManager.create``) does not insert its
entry at once. The entry is completed — actor, address, correlation id, time, and the canonical
JSON its hash will cover — and kept on the database connection as *pending*. When the block ends
successfully, the connection *seals* what is pending: it takes the chain lock and reads the head
(one round trip, once per transaction), links each entry to the one before, and inserts them all
with one multi-row INSERT. The seal happens

* at ``commit()`` of the transaction (the service's own ``atomic`` in production), and
* at the release of a savepoint (a service running inside an enclosing transaction, such as a
  test or a request that is atomic as a whole), so the entries exist as soon as the service
  returns, and
* before any query of the audit table on that connection (``AuditEntryManager.get_queryset``),
  so that a transaction always reads its own entries.

The hooks are in the database backends ``compliance.backends.postgresql`` and
``compliance.backends.sqlite3`` (settings map the URL's engine to them). A savepoint that rolls
back drops the entries made inside it; a rollback drops them all; a seal that fails makes the
commit fail, so a change is never committed without its entries.

Why: an audited write used to cost five extra queries and two ORM saves. Sealing costs two round
trips per transaction and no ORM save, and holds the chain lock only for the last moment of the
transaction (bench/audit_overhead.py).

This module also keeps the row ``lock_case`` read, so auditlog's "old" values come from it instead
of a second SELECT of the row that is locked anyway (``remember_loaded`` / ``log_update``).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.db import connections, transaction

if TYPE_CHECKING:
    from django.db.models import Model

    from compliance.models import AuditEntry

_PENDING = "_audit_pending"  # connection attribute: list of (savepoint ids, entry)
_LOADED = "_audit_loaded"  # connection attribute: {(model, pk): (id(instance), copy)}
_HEAD = "_audit_chain_head"  # connection attribute: ((chain index, hash), savepoint ids)
_COMMITTED = "_audit_committed_head"  # connection attribute: the head its last commit left


def defer(entry: AuditEntry, using: str) -> None:
    """Keep a completed entry until the enclosing atomic block ends. Outside any block the entry
    gets one of its own, which seals it at once."""
    connection = connections[using]
    if not connection.in_atomic_block:
        with transaction.atomic(using=using, savepoint=False):
            defer(entry, using)
        return
    pending = connection.__dict__.get(_PENDING)
    if pending is None:
        pending = connection.__dict__[_PENDING] = []
    pending.append((tuple(connection.savepoint_ids), entry))


def seal(using: str) -> None:
    """Chain and insert what is pending on this connection (a no-op when nothing is)."""
    connection = connections[using]
    pending = connection.__dict__.get(_PENDING)
    if not pending:
        return
    connection.__dict__[_PENDING] = []
    from compliance.models import AuditEntry

    AuditEntry.write_chained([entry for _sids, entry in pending], using)


def pending_count(using: str = "default") -> int:
    return len(connections[using].__dict__.get(_PENDING) or ())


def cached_head(connection) -> tuple[int, str] | None:
    """The head this transaction wrote or read under the chain lock, or None."""
    cached = connection.__dict__.get(_HEAD)
    return cached[0] if cached else None


def cache_head(connection, head: tuple[int, str] | None) -> None:
    """Remember the head for the rest of the transaction; ``None`` forgets it, and the head of
    the last commit too."""
    connection.__dict__[_HEAD] = (head, tuple(connection.savepoint_ids)) if head else None
    if head is None:
        connection.__dict__.pop(_COMMITTED, None)


def committed_head(connection) -> tuple[int, str] | None:
    """The head the connection's last committed transaction wrote (a guess for the next one,
    which checks it under the lock), or None."""
    return connection.__dict__.get(_COMMITTED)


def remember_loaded(instance: Model, using: str = "default") -> None:
    """Remember ``instance`` as its row stands now (it was just read under a row lock in this
    transaction), so the next save of this very instance diffs against it without re-reading the
    row. Any save of the row through another instance, or the end of the transaction, forgets it."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    loaded = connection.__dict__.get(_LOADED)
    if loaded is None:
        loaded = connection.__dict__[_LOADED] = {}
    loaded[(type(instance), instance.pk)] = (id(instance), copy.copy(instance))


def take_loaded(instance: Model, using: str = "default") -> Model | None:
    """The remembered row of ``instance`` (once), or None when it must be read again."""
    loaded = connections[using].__dict__.get(_LOADED)
    if not loaded:
        return None
    found = loaded.pop((type(instance), instance.pk), None)
    if found is None or found[0] != id(instance):
        return None
    return found[1]


class SealingMixin:
    """Database-wrapper hooks: seal at commit and savepoint release, drop on rollback."""

    def commit(self):
        try:
            seal(self.alias)
        except BaseException:
            # Nothing of the transaction may commit without its entries. (Atomic rolls back
            # after a DatabaseError itself; any other error would leave the transaction open.)
            self.rollback()
            raise
        head = self.__dict__.get(_HEAD)
        super().commit()
        self._audit_forget()
        if head is not None:
            self.__dict__[_COMMITTED] = head[0]

    def rollback(self):
        self._audit_forget()
        super().rollback()

    def close(self):
        self._audit_forget()
        self.__dict__.pop(_COMMITTED, None)
        super().close()

    def _savepoint_commit(self, sid):
        seal(self.alias)
        super()._savepoint_commit(sid)

    def _savepoint_rollback(self, sid):
        super()._savepoint_rollback(sid)
        pending = self.__dict__.get(_PENDING)
        if pending:
            self.__dict__[_PENDING] = [item for item in pending if sid not in item[0]]
        head = self.__dict__.get(_HEAD)
        if head is not None and sid in head[1]:
            self.__dict__[_HEAD] = None  # the rows it points at are gone
        self.__dict__.pop(_LOADED, None)  # rows may be back to other values

    def _audit_forget(self):
        self.__dict__.pop(_PENDING, None)
        self.__dict__.pop(_LOADED, None)
        self.__dict__.pop(_HEAD, None)


def _skipped(kwargs) -> bool:
    """auditlog's ``check_disable``: auditing switched off, or a raw save (fixtures) when the
    settings say so."""
    from auditlog.context import auditlog_disabled
    from django.conf import settings

    return bool(auditlog_disabled.get()) or bool(
        kwargs.get("raw") and settings.AUDITLOG_DISABLE_ON_RAW_SAVE
    )


def create_log_entry(*, action, instance, sender, diff_old, diff_new, fields_to_check=None):
    """``auditlog.receivers._create_log_entry``, with the diff of ``compliance.diff`` (the same
    result, the fields chosen once per model): the ``pre_log`` and ``post_log`` signals, an
    entry when something changed, an error passed on after ``post_log`` has seen it."""
    from auditlog import get_logentry_model
    from auditlog.signals import post_log, pre_log
    from django.conf import settings

    from compliance.diff import instance_diff

    pre_log_results = pre_log.send(sender, instance=instance, action=action)
    if any(result is False for _receiver, result in pre_log_results):
        return
    use_json = settings.AUDITLOG_STORE_JSON_CHANGES
    error = log_entry = changes = None
    try:
        changes = instance_diff(diff_old, diff_new, fields_to_check, use_json)
        if changes:
            log_entry = get_logentry_model().objects.log_create(
                instance, action=action, changes=changes
            )
    except BaseException as exc:
        error = exc
    finally:
        if log_entry or error:
            post_log.send(
                sender,
                instance=instance,
                instance_old=diff_old,
                action=action,
                error=error,
                pre_log_results=pre_log_results,
                changes=changes,
                log_entry=log_entry,
                log_created=log_entry is not None,
                use_json_for_changes=use_json,
            )
    if error:
        raise error


def log_create(sender, instance, created, **kwargs):
    """auditlog's ``post_save`` receiver (``auditlog.receivers.log_create``) on
    ``create_log_entry``."""
    from compliance.models import AuditEntry

    if created and not _skipped(kwargs):
        create_log_entry(
            action=AuditEntry.Action.CREATE,
            instance=instance,
            sender=sender,
            diff_old=None,
            diff_new=instance,
        )


def log_update(sender, instance, **kwargs):
    """auditlog's ``pre_save`` receiver (``auditlog.receivers.log_update``) on
    ``create_log_entry``, except that the old values come from ``remember_loaded`` when this
    very instance was read under a row lock in this transaction. The remembered row is taken
    even when auditing is switched off, so that it never outlives the save that made it stale."""
    from auditlog.receivers import _get_manager_from_settings

    from compliance.models import AuditEntry

    if instance._state.adding or instance.pk is None:
        return
    old = take_loaded(instance, kwargs.get("using") or instance._state.db or "default")
    if _skipped(kwargs):
        return
    if old is None:
        old = _get_manager_from_settings(sender).filter(pk=instance.pk).first()
    create_log_entry(
        action=AuditEntry.Action.UPDATE,
        instance=instance,
        sender=sender,
        diff_old=old,
        diff_new=instance,
        fields_to_check=kwargs.get("update_fields"),
    )


def use_sealing_receivers(registry) -> None:
    """Make ``registry`` (auditlog's) connect ``log_create`` and ``log_update`` above instead of
    its own, for the models registered after this call. Checked against the receivers they
    replace, so that an auditlog upgrade that changes them fails loudly here."""
    from auditlog import receivers
    from django.db.models.signals import post_save, pre_save

    for signal, ours, theirs in (
        (pre_save, log_update, receivers.log_update),
        (post_save, log_create, receivers.log_create),
    ):
        current = registry._signals.get(signal)
        if current is ours:
            continue
        if current is not theirs:
            raise RuntimeError(f"auditlog's {signal!r} receiver is not the one compliance replaces")
        registry._signals[signal] = ours
