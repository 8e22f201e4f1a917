"""One serving process per SQLite file.

Two `kaderbot run` on one SQLite file would both lead: both run the schedule and the
outbox, and a ketua gets every recap twice. The serving process therefore holds an OS
lock (flock) on `<database>.lock` beside the file for its whole life, with its pid in it;
the kernel releases the lock however the process ends, kill -9 included. Short commands
(invite, recap, export, member, backup, chat) take no lock: SQLite lets them share the
file with the running bot, and none of them sends anything. Several workers need
PostgreSQL, where an advisory lock chooses the one leader (bot/leader.py).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage import sqlite_path


class DatabaseInUseError(RuntimeError):
    """Another serving process holds the SQLite file."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextmanager
def sole_server(database_url: str) -> Iterator[None]:
    """Hold the SQLite file's lock while the block runs; nothing to hold elsewhere."""
    found = sqlite_path(database_url)
    if found is None:
        yield
        return
    database = found.resolve()
    descriptor = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "unknown"
            raise DatabaseInUseError(
                f"{database} is already served by `kaderbot run` (pid {holder}); "
                "one process per SQLite file (several workers need PostgreSQL)"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock
