"""One leader among the workers: only it runs the schedule and the outbox sender.

On PostgreSQL the leader holds a session advisory lock on a connection of its own
(storage.Database.leader_lock); when
the process dies, the connection closes, the lock is released, and another worker takes
over at its next try (every `retry_seconds`). On SQLite there is one process: it leads.
The outbox's unique key and per-part progress remain the guarantee against double sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from storage import Database, LeaderLock

log = logging.getLogger(__name__)

Duties = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
RETRY_SECONDS = 15.0


async def lead(
    database: Database,
    stop: asyncio.Event,
    duties: Duties,
    retry_seconds: float = RETRY_SECONDS,
) -> None:
    """Run `duties(lost)` while this process is the leader, until `stop`."""
    if not database.has_leader_lock:
        await duties(stop)
        return
    while not stop.is_set():
        try:
            async with database.leader_lock() as lock:
                if lock is not None:
                    log.info("this worker leads: it runs the schedule and the outbox")
                    await _while_held(lock, stop, duties, retry_seconds)
        except (OperationalError, DBAPIError, OSError) as error:
            log.warning("leadership check failed: %s", error)
        try:
            await asyncio.wait_for(stop.wait(), retry_seconds)
        except TimeoutError:
            continue


async def _while_held(
    lock: LeaderLock,
    stop: asyncio.Event,
    duties: Duties,
    retry_seconds: float,
) -> None:
    lost = asyncio.Event()
    task = asyncio.create_task(duties(lost))
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry_seconds)
            if not await lock.still_held():
                log.warning("lost the leader's connection; stepping down")
                break
    finally:
        lost.set()
        await asyncio.gather(task, return_exceptions=True)
