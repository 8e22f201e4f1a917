"""What storage raises, and how a database failure is told to the operator."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from storage.database import location, sqlite_path


class NotFoundError(LookupError):
    """A kampung, unit, kecamatan or member named by the caller does not exist."""


class InviteTakenError(Exception):
    """Another turn used the invite after this one read it: this turn must not use it."""


class MemberChangedError(Exception):
    """The member a turn would remove is no longer one the remover may remove (erased,
    moved, or never theirs): the turn must not erase them."""


# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected) or
# that cannot both be serialized (serialization_failure); the other one goes on.
_LOST_TO_ANOTHER = frozenset({"40P01", "40001"})


def is_lost_to_another(error: DBAPIError) -> bool:
    """Whether the database rolled this transaction back in favour of a concurrent one:
    run again, it sees what the other one wrote. Two ketua removing each other at once
    get this: each turn holds its own conversation row and would delete the other's."""
    return getattr(error.orig, "sqlstate", None) in _LOST_TO_ANOTHER


# Below this much free space, a SQLite I/O error is taken for a full disk: growing the WAL
# index (-shm) on a full disk fails as "disk I/O error", not as SQLITE_FULL.
_NEARLY_FULL_BYTES = 1024 * 1024


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
