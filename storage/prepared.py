"""Core statements compiled once and, on the SQLite writing connection, run straight on
the driver's sqlite3 connection.

Every turn runs the same handful of statements (claim the update, the member, the state,
save the state). Through SQLAlchemy's execution path each costs about 50 us of Python
(execution context, events, the async adapter's greenlet hops, the result object) for a
statement SQLite runs in a few; the turn makes five. Here the SQL text, the order of its
parameters and the columns' own bind and result processors (so values are stored and
read exactly as SQLAlchemy would) are taken once from the compiled statement, and each
call is one sqlite3 `execute`, inside the transaction the session already began on that
very connection. On PostgreSQL (or any other connection) the statement runs through
SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from storage.database import fetch_raw, inline_sqlite_of, run_raw

_DIALECT = sqlite.dialect()  # the driver is aiosqlite (a thin layer over sqlite3), same SQL

Processor = Callable[[Any], Any] | None
_GIVEN = object()  # a parameter the caller gives (a bindparam without a value)


class Prepared:
    """One statement: `rows` for a SELECT, `run` for the rest (the count of rows hit).

    Given by dialect name when the SQL differs (an upsert): the "sqlite" one is prepared.
    """

    def __init__(self, statement: Executable | Mapping[str, Executable]) -> None:
        self._by_dialect = statement if isinstance(statement, Mapping) else {}
        prepared = self._by_dialect.get("sqlite", statement)
        assert isinstance(prepared, ClauseElement) and isinstance(prepared, Executable)
        self.statement: Executable = prepared
        compiled = prepared.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)
        self._sql = compiled.string
        names: Sequence[str] = compiled.positiontup or ()
        # (name, the value of a literal in the statement or _GIVEN, its processor)
        self._params: list[tuple[str, Any, Processor]] = [
            (
                name,
                _GIVEN if compiled.binds[name].required else compiled.binds[name].value,
                compiled.binds[name].type.dialect_impl(_DIALECT).bind_processor(_DIALECT),
            )
            for name in names
        ]
        columns = getattr(prepared, "selected_columns", ())
        self._results: list[Processor] = [
            column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
            for column in columns
        ]

    def statement_for(self, connection: Connection | AsyncConnection) -> Executable:
        return self._by_dialect.get(connection.dialect.name, self.statement)

    def _values(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, literal, process in self._params:
            value = params[name] if literal is _GIVEN else literal
            values.append(value if process is None or value is None else process(value))
        return values

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        raw = inline_sqlite_of(connection)
        if raw is None:
            return [
                tuple(row) for row in connection.execute(self.statement_for(connection), params)
            ]
        found = fetch_raw(raw, self._sql, self._values(params))
        results = self._results
        return [
            tuple(
                value if process is None or value is None else process(value)
                for process, value in zip(results, row, strict=True)
            )
            for row in found
        ]

    def run(self, connection: Connection, params: Mapping[str, Any]) -> int:
        raw = inline_sqlite_of(connection)
        if raw is None:
            return int(connection.execute(self.statement_for(connection), params).rowcount)
        return run_raw(raw, self._sql, self._values(params))

    async def rows_async(
        self, connection: AsyncConnection, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`rows` from async code (no greenlet needed when it runs on the sqlite3 one)."""
        sync = connection.sync_connection
        if sync is None or inline_sqlite_of(sync) is None:
            result = await connection.execute(self.statement_for(connection), params)
            return [tuple(row) for row in result]
        return self.rows(sync, params)

    async def run_async(self, connection: AsyncConnection, params: Mapping[str, Any]) -> int:
        """`run` from async code (no greenlet needed when it runs on the sqlite3 one)."""
        sync = connection.sync_connection
        if sync is None or inline_sqlite_of(sync) is None:
            result = await connection.execute(self.statement_for(connection), params)
            return int(result.rowcount)
        return self.run(sync, params)
