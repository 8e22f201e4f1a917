"""Statements prepared once and run on the driver's sqlite3 connection store and read
exactly what the same statement through SQLAlchemy does (a turn's rows are read later by
ordinary queries, the pruning by age compares stored times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.app import Runtime
from storage.database import inline_sqlite_of
from storage.members import MEMBER_ROW
from storage.prepared import Prepared
from storage.turns import _CLAIM
from tests.conftest import register

# No microseconds: the case sqlite3's own datetime adapter writes differently.
WHOLE_SECOND = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
# Given in Asia/Jakarta's offset: stored as UTC.
ODD_ZONE = datetime(2026, 11, 2, 15, 30, 0, 250, tzinfo=UTC).astimezone(
    timezone(timedelta(hours=7))
)


async def test_prepared_statements_store_and_read_what_sqlalchemy_does(runtime: Runtime) -> None:
    await register(runtime, "77")
    keys = {"channel": "telegram", "user_key": "77"}

    def claim_both_ways(sync: Session) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        connection = sync.connection()
        fast = inline_sqlite_of(connection) is not None
        for n, now in enumerate((WHOLE_SECOND, ODD_ZONE)):
            params = {**keys, "now": now}
            assert _CLAIM.run(connection, {**params, "update_id": f"fast{n}"}) == 1
            connection.execute(
                _CLAIM.statement_for(connection), {**params, "update_id": f"slow{n}"}
            )
        assert _CLAIM.run(connection, {**keys, "now": WHOLE_SECOND, "update_id": "fast0"}) == 0
        stored = connection.execute(
            text("SELECT update_id, processed_at FROM processedupdate ORDER BY update_id")
        ).all()
        assert fast == (runtime.database.dialect == "sqlite")
        member = Prepared(MEMBER_ROW).rows(connection, keys)
        return member, [tuple(row) for row in stored]

    async with runtime.database.write() as session:
        member, stored = await session.run_sync(claim_both_ways)
        expected = await (await session.connection()).execute(MEMBER_ROW, keys)
        assert member == [tuple(row) for row in expected.all()]
    times = dict(stored)
    assert times["fast0"] == times["slow0"] and times["fast1"] == times["slow1"]
    assert times["fast0"] != times["fast1"]


async def test_a_literal_in_the_statement_is_bound_as_compiled(runtime: Runtime) -> None:
    await register(runtime, "78")
    statement = MEMBER_ROW.where(bindparam("never", 1) == 1)
    async with runtime.database.write() as session:
        rows = await session.run_sync(
            lambda sync: Prepared(statement).rows(
                sync.connection(), {"channel": "telegram", "user_key": "78"}
            )
        )
    assert len(rows) == 1 and isinstance(rows[0][5], datetime | None)


async def test_a_failing_prepared_statement_raises_what_sqlalchemy_would(runtime: Runtime) -> None:
    """Callers tell database failures by SQLAlchemy's exceptions (a full disk, a locked or
    damaged file): the driver's own error comes wrapped the same way."""
    missing = Prepared(text("SELECT x FROM no_such_table"))
    with pytest.raises(DBAPIError, match="no_such_table"):
        async with runtime.database.write() as session:
            await session.run_sync(lambda sync: missing.rows(sync.connection(), {}))
