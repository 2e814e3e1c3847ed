"""A queryset compiled once and run many times: for the claim-next candidate query, whose
building and compiling (queue membership ``Exists`` subqueries, ordering, row lock) cost about
5.7 ms of Python per claim — more than the rest of the claim step together
(bench/claim_next.py; docs/architecture/live-queue.md, "Claim next").

``CompiledQuery(queryset)`` compiles the queryset's SQL once and keeps what Django's
``ModelIterable`` needs to turn a row into the model instance with its ``select_related``
relations and its database converters applied. It belongs to the database connection (thread)
it was compiled on: keep it in ``cached(connection, …)``, never across threads. The SQL holds
only what the queryset's filters hold (ids, codes), so everything a query decides in Python must
be in the cache key (``cases.services.claim_next_candidate``)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.exceptions import EmptyResultSet
from django.db.models.query import get_related_populators

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
        with self.connection.cursor() as cursor:
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
