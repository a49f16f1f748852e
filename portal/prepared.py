"""Queries whose SQL is compiled once.

Building a queryset with subqueries costs Django milliseconds of Python (resolving
expressions, cloning, compiling): on the queries every request runs — the session's user,
the reader's audiences — more than the database takes to answer them. A `Prepared` query is
built once per database with a marker in place of each value that changes from one run to
the next (ids), and then run with the values put where the markers are.
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Markers are integers no row id takes; a value is an id (an integer) too, so Django passes
# both through unchanged and the marker in the compiled parameters is the value's place.
_MARKER = -7_340_000_000


class Prepared:
    """``build(**markers)`` → the queryset; ``names``: its changing values, all integers."""

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build, self.names = build, names
        self._compiled: dict[str, tuple] = {}

    def _compiled_for(self, using: str):
        if using not in self._compiled:
            markers = {name: _MARKER - index for index, name in enumerate(self.names)}
            queryset = self.build(**markers)
            sql, params = queryset.query.get_compiler(using=using).as_sql()
            by_marker = {marker: name for name, marker in markers.items()}
            slots = [by_marker.get(param) if isinstance(param, int) else None
                     for param in params]
            missing = set(self.names) - set(slots)
            if missing:
                raise ValueError(f"the query does not use {sorted(missing)} as given")
            self._compiled[using] = (queryset.model, sql, list(params), slots)
        return self._compiled[using]

    def _statement(self, using: str, values: dict) -> tuple:
        if set(values) != set(self.names) or not all(
                isinstance(value, int) for value in values.values()):
            raise TypeError(f"expects integers for {self.names}, got {values!r}")
        model, sql, params, slots = self._compiled_for(using)
        return model, sql, [params[i] if slot is None else values[slot]
                            for i, slot in enumerate(slots)]

    def rows(self, using: str = "default", **values) -> list[tuple]:
        """The rows, as tuples of the columns the queryset selects."""
        _model, sql, params = self._statement(using, values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def instances(self, using: str = "default", **values) -> list:
        """Model instances (annotations become attributes, as with the queryset)."""
        model, sql, params = self._statement(using, values)
        return list(model._default_manager.db_manager(using).raw(sql, params))
