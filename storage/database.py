"""The database: one `Database` object owns the engine and everything bound to it.

Sessions for writing (`write`, one transaction, behind the SQLite write gate) and for
reading (`read`), the health ping, the SQLite online backup and the PostgreSQL leader
lock. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE; its writing
connections run their statements on the event loop's own thread (see _InlineSqlite).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import models as _models  # noqa: F401  (registers the tables on the metadata)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_BUSY_TIMEOUT_MS = 15_000
_READ_ONLY = "kaderbot_read_only"
LEADER_LOCK_KEY = 0x4B414445  # "KADE"


def utc_now() -> datetime:
    return datetime.now(UTC)


def async_url(url: str) -> str:
    """A plain `sqlite:///` or `postgresql://` URL with the async driver this project uses."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other databases and :memory:)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def location(url: str) -> str:
    """Where the database is, for messages: the SQLite file, else the URL without password."""
    path = sqlite_path(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


class _InlineSqlite(aiosqlite.Connection):
    """aiosqlite's connection, but each call runs at once on the calling (event loop)
    thread instead of a hop to the connection's own thread and back.

    A statement on a local SQLite file takes microseconds; the hop costs a turn of the
    event loop each way, and a turn makes a dozen calls (execute, fetch, close, begin,
    commit) while it holds the write gate, so under load the hops, not SQLite, set the
    pace (docs/benchmarks.md). Only writing connections run inline: writers take turns
    at the write gate anyway, and their transactions are short. Reads (a recap over
    years of reports) keep aiosqlite's thread, so that they never stall the loop.
    The connection is still opened (and closed) by aiosqlite's thread.
    """

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def inline_sqlite_of(connection: Any) -> sqlite3.Connection | None:
    """The sqlite3 connection under a SQLAlchemy Connection of the writing engine (whose
    calls run on this thread, see _InlineSqlite); None for any other connection."""
    driver = connection.connection.driver_connection
    return driver._conn if isinstance(driver, _InlineSqlite) else None


def run_raw(raw: sqlite3.Connection, sql: str, values: Any = ()) -> int:
    """Execute on the sqlite3 connection itself; the count of rows hit. The driver's
    errors come wrapped as SQLAlchemy wraps them (OperationalError...), so callers tell
    them apart as usual."""
    try:
        return raw.execute(sql, values).rowcount
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, values, error, sqlite3.Error) from error


def fetch_raw(raw: sqlite3.Connection, sql: str, values: Any = ()) -> list[Any]:
    """The rows of a query run on the sqlite3 connection itself, errors wrapped as above."""
    try:
        return raw.execute(sql, values).fetchall()
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, values, error, sqlite3.Error) from error


async def _connect_inline(path: str) -> aiosqlite.Connection:
    # The connection is made on aiosqlite's thread and used on the loop's.
    connector = partial(sqlite3.connect, path, check_same_thread=False)
    connection = _InlineSqlite(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own
    return await connection


def _create_engine(url: str, *, inline: bool = False) -> AsyncEngine:
    full_url = async_url(url)
    # pool_pre_ping: after a database server restart, stale pooled connections are replaced
    # instead of failing the next turn. A SQLite file has no server to lose.
    server = not full_url.startswith("sqlite")
    path = sqlite_path(url)
    if inline and path is not None:
        engine = create_async_engine(full_url, async_creator=partial(_connect_inline, str(path)))
    else:
        engine = create_async_engine(full_url, pool_pre_ping=server)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A turn reads, then writes; a deferred BEGIN would fail with "database is locked"
        # when another writer got in between. Read-only sessions (see Database.read)
        # begin deferred, so that a long read (a recap) never holds the write lock.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
            return
        raw = inline_sqlite_of(connection)
        if raw is not None:  # straight on sqlite3, as storage/prepared.py does
            run_raw(raw, "BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class _WriteGate:
    """One writing transaction at a time within this process, on SQLite.

    SQLite allows one writer; a second waits in its busy handler, which sleeps between
    tries (up to 100 ms each), so under load turns wait far longer than the lock is held.
    Queueing on an asyncio lock first hands the write lock over at once. Elsewhere it
    does nothing: PostgreSQL locks rows, not the database.
    """

    def __init__(self, sqlite: bool) -> None:
        self._lock = asyncio.Lock() if sqlite else None

    async def __aenter__(self) -> None:
        if self._lock is not None:
            await self._lock.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        if self._lock is not None:
            self._lock.release()


class LeaderLock:
    """The PostgreSQL advisory lock that makes a worker the leader, held on a connection
    of its own: it is released when that connection closes, however the process ends."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def still_held(self) -> bool:
        """Keep the lock's connection alive; False once it is lost (and the lock with it)."""
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except (OperationalError, DBAPIError, OSError):
            return False
        return True


class Database:
    """The engine of one database URL and the sessions, locks and copies made from it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url, inline=True)
        self.dialect: str = self.engine.dialect.name
        # On SQLite, reads get an engine of their own whose statements run on aiosqlite's
        # thread (see _InlineSqlite); elsewhere both are the one engine.
        self._read_engine = _create_engine(url) if self.dialect == "sqlite" else self.engine
        self._gate = _WriteGate(sqlite=self.dialect == "sqlite")
        self._writes = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._reads = async_sessionmaker(
            self._read_engine.execution_options(**{_READ_ONLY: True}),
            class_=AsyncSession,
            expire_on_commit=False,
        )

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return sqlite_path(self.url)

    @property
    def has_leader_lock(self) -> bool:
        """Whether several processes may serve it, one leading (PostgreSQL); a SQLite file
        has one serving process (bot/sole.py), which leads."""
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, committed when the block ends without error."""
        async with self._gate, self._writes() as session, session.begin():
            yield session

    def read(self) -> AsyncSession:
        """A session that only reads: on SQLite it takes no write lock, however long it
        lasts. Use it as `async with database.read() as session`."""
        return self._reads()

    async def ping(self) -> None:
        """Raises unless the database answers (for load balancers' health checks)."""
        async with self.read() as session:
            await session.exec(select(1))

    @asynccontextmanager
    async def leader_lock(self) -> AsyncIterator[LeaderLock | None]:
        """Try once to take the leader lock; None when another worker holds it. Leaving the
        block closes the connection, which releases the lock."""
        async with self.engine.connect() as connection:
            held = (
                await connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
                )
            ).scalar()
            await connection.commit()
            yield LeaderLock(connection) if held else None

    async def backup(self, target: Path) -> int:
        """SQLite's online backup: a consistent copy while the bot keeps writing; returns
        the number of pages copied. Raises FileNotFoundError when the file is missing."""
        source = self.sqlite_file
        if source is None:
            raise ValueError(f"{location(self.url)} is not a SQLite file")
        return await asyncio.to_thread(_sqlite_backup, source, target)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._read_engine is not self.engine:
            await self._read_engine.dispose()


def _sqlite_backup(source: Path, target: Path) -> int:
    if not source.exists():
        raise FileNotFoundError(source)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
        return int(copy.execute("PRAGMA page_count").fetchone()[0])


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def insert_ignoring_duplicates(session: AsyncSession, table: Any, **values: Any) -> Any:
    return dialect_insert(session, table).values(**values).on_conflict_do_nothing()
