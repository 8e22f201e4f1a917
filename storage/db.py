"""Engine and sessions. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import models as _models  # noqa: F401  (registers the tables on the metadata)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_BUSY_TIMEOUT_MS = 15_000
_READ_ONLY = "kaderbot_read_only"


def async_url(url: str) -> str:
    """A plain `sqlite:///` or `postgresql://` URL with the async driver this project uses."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    full_url = async_url(url)
    # pool_pre_ping: after a database server restart, stale pooled connections are replaced
    # instead of failing the next turn. A SQLite file has no server to lose.
    server = not full_url.startswith("sqlite")
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
        # when another writer got in between. Read-only sessions (see read_session_factory)
        # begin deferred, so that a long read (a recap) never holds the write lock.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class WriteGate:
    """One writing transaction at a time within this process, on SQLite.

    SQLite allows one writer; a second waits in its busy handler, which sleeps between
    tries (up to 100 ms each), so under load turns wait far longer than the lock is held.
    Queueing on an asyncio lock first hands the write lock over at once. Elsewhere (or
    without an engine) it does nothing: PostgreSQL locks rows, not the database.
    """

    def __init__(self, engine: AsyncEngine | None = None) -> None:
        sqlite = engine is not None and engine.dialect.name == "sqlite"
        self._lock = asyncio.Lock() if sqlite else None

    async def __aenter__(self) -> None:
        if self._lock is not None:
            await self._lock.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        if self._lock is not None:
            self._lock.release()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for turns that write."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that only read: on SQLite they take no write lock, however long they last."""
    return async_sessionmaker(
        engine.execution_options(**{_READ_ONLY: True}),
        class_=AsyncSession,
        expire_on_commit=False,
    )


# Below this much free space, a SQLite I/O error is taken for a full disk: growing the WAL
# index (-shm) on a full disk fails as "disk I/O error", not as SQLITE_FULL.
_NEARLY_FULL_BYTES = 1024 * 1024


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


def _free_bytes(path: Path) -> int:
    try:
        found = os.statvfs(path.parent)
    except OSError:
        return _NEARLY_FULL_BYTES
    return found.f_bavail * found.f_frsize


def is_disk_full(error: BaseException, url: str | None = None) -> bool:
    """SQLite's SQLITE_FULL (or PostgreSQL's disk_full, SQLSTATE 53100); given the URL, also
    a SQLite I/O error on a disk with (almost) no room left."""
    text = str(getattr(error, "orig", error)).lower()
    if "database or disk is full" in text or "no space left on device" in text:
        return True
    path = sqlite_path(url) if url else None
    return path is not None and "disk i/o error" in text and _free_bytes(path) < _NEARLY_FULL_BYTES


def describe_failure(error: DBAPIError, url: str) -> str:
    """One line for the operator: what is wrong with the database, and which one it is."""
    where = location(url)
    if is_disk_full(error, url):
        return (
            f"the database disk is full ({where}): free some space and try again; nothing "
            "of this command was saved"
        )
    reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
    text = reason.lower()
    if "readonly" in text or "read-only" in text or "unable to open database file" in text:
        return (
            f"cannot open or write the database ({where}): check that the file and its "
            f"folder exist and are writable ({reason})"
        )
    if "file is not a database" in text or "malformed" in text:
        return (
            f"the database file is damaged or not a database ({where}): restore it from a "
            f"backup ({reason})"
        )
    return f"database error ({where}): {reason}"
