"""A queryset compiled once and run many times: for the claim-next candidate query, whose
building and compiling (queue membership ``Exists`` subqueries, ordering, row lock) cost about
5.7 ms of Python per claim — more than the rest of the claim step together — and whose planning
cost PostgreSQL about 1.8 ms per claim (bench/claim_next.py; docs/architecture/live-queue.md,
"Claiming").

On PostgreSQL the statement is also *prepared* on the connection (``prepared_cursor``): planned
once, then run with the generic plan, which PostgreSQL picks after five runs when the plan does
not depend on the bound values (write the constants a partial index's condition needs into the
SQL; ``cases.services.claim_next_candidates`` does). Settings: ``PREPARED_STATEMENTS``
(docs/operations/configuration.md; off behind a pooler that cannot keep prepared statements).

``CompiledQuery(queryset)`` compiles the queryset's SQL once and keeps what Django's
``ModelIterable`` needs to turn a row into the model instance with its ``select_related``
relations and its database converters applied. It belongs to the database connection (thread)
it was compiled on: keep it in ``cached(connection, …)``, never across threads. The SQL holds
only what the queryset's filters hold (ids, codes), so everything a query decides in Python must
be in the cache key (``cases.services.claim_next_candidate``)."""

from __future__ import annotations

import contextlib
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup
from django.db.models.query import get_related_populators

_CONSTANT = re.compile(r"[a-z][a-z0-9_]*")


class ConstantIn(Lookup):
    """``expression IN ('a', 'b')`` with the values written into the SQL instead of bound, so
    that a prepared statement's generic plan can prove a partial index's condition
    (``status IN (…)``: PostgreSQL matches a bound list against no index predicate). Only for
    code constants: lower-case identifiers, checked. Use in ``filter()``:
    ``ConstantIn(F("status"), ["new", "triaged"])``."""

    lookup_name = "in_constants"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if not all(isinstance(value, str) for value in self.rhs):
            raise ValueError(f"ConstantIn takes strings only, not {self.rhs!r}.")
        values = [str(value) for value in self.rhs]  # a TextChoices member: its value
        if not values or not all(_CONSTANT.fullmatch(value) for value in values):
            raise ValueError(f"ConstantIn takes lower-case identifiers only, not {values!r}.")
        lhs, params = self.process_lhs(compiler, connection)
        quoted = ", ".join("'" + value + "'" for value in values)
        return f"{lhs} IN ({quoted})", params


_CACHE = "_patientcare_compiled_queries"  # connection attribute: {key: CompiledQuery}
CACHE_SIZE = 512


class CompiledQuery:
    """The first row of a queryset as a model instance, without building or compiling it again.
    Only plain model querysets (``select_related`` allowed; no annotations, ``values()`` or
    ``only()``/``defer()`` beyond what ``select_related`` adds)."""

    def __init__(self, queryset) -> None:
        self.db = queryset.db
        compiler = queryset.query.get_compiler(using=self.db)
        self.connection = compiler.connection
        try:
            self.sql, self.params = compiler.as_sql()
        except EmptyResultSet:  # a filter that can match nothing: no query at all, as Django
            self.sql, self.params = None, ()
            return
        if compiler.annotation_col_map:
            raise ValueError("CompiledQuery takes no annotations.")
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.converters = compiler.get_converters([column[0] for column in select])
        self.compiler = compiler

    def first(self):
        """The first row as an instance (its relations from ``select_related`` attached), or
        None: one query, exactly the SQL Django compiled."""
        if self.sql is None:
            return None
        with prepared_cursor(self.connection) as cursor:
            cursor.execute(self.sql, self.params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        instance = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, instance)
        return instance


@contextlib.contextmanager
def prepared_cursor(connection) -> Iterator:
    """A Django cursor (logged, wrapped, its errors Django's) whose statements PostgreSQL
    prepares on this connection at their first run and reuses after: a psycopg cursor with
    server-side binding, on a connection whose ``prepare_threshold`` is 0. Django's own cursors
    bind on the client and are never prepared, whatever the threshold, so only what runs here is.
    psycopg forgets (deallocates) the prepared statements at a rollback. Elsewhere (SQLite, or
    ``PREPARED_STATEMENTS`` off): the plain cursor."""
    if connection.vendor != "postgresql" or not getattr(settings, "PREPARED_STATEMENTS", True):
        with connection.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold != 0:
        raw.prepare_threshold = 0
    factory = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        cursor = connection.cursor()
    finally:
        raw.cursor_factory = factory
    with cursor:
        yield cursor


def cached(connection, key: Hashable, build: Callable[[], object]) -> CompiledQuery:
    """The ``CompiledQuery`` of ``build()`` (a queryset) for ``key`` on ``connection``, compiled
    on first use; the least recently used are dropped beyond ``CACHE_SIZE``."""
    cache = connection.__dict__.get(_CACHE)
    if cache is None:
        cache = connection.__dict__[_CACHE] = OrderedDict()
    compiled = cache.get(key)
    if compiled is None:
        compiled = cache[key] = CompiledQuery(build())
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return compiled
