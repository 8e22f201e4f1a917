"""Conversation state, processed update ids and the long-polling inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.database import dialect_insert, insert_ignoring_duplicates
from storage.models import (
    Conversation,
    Inbox,
    Member,
    ProcessedUpdate,
)
from storage.prepared import Prepared

# --- conversation state and processed updates -------------------------------------------


async def load_state(session: AsyncSession, channel: str, user_key: str) -> str | None:
    """The user's conversation state, locked for this transaction.

    Two workers may get two updates of one user at once; the row lock makes the second
    wait for the first, so neither overwrites the other's step. (SQLite needs no row lock:
    its write transactions are serial.)
    """
    query = (
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.user_key == user_key)
        .with_for_update()
    )
    row = (await session.exec(query)).first()
    return row.state if row else None


def _upsert_state(dialect: Any) -> Any:
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = dialect.insert(table).values(
        channel=bindparam("channel"),
        user_key=bindparam("user_key"),
        state=bindparam("state"),
        updated_at=bindparam("now"),
    )
    return statement.on_conflict_do_update(
        index_elements=["channel", "user_key"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )


# Built once: every turn that moves on writes it (the compiled cache serves it).
_SAVE_STATE = Prepared({"sqlite": _upsert_state(sqlite), "postgresql": _upsert_state(postgresql)})


async def save_state(
    session: AsyncSession, channel: str, user_key: str, state: str, now: datetime
) -> None:
    """Insert or update in one statement (no read first: a turn already read it)."""
    connection = await session.connection()
    params = {"channel": channel, "user_key": user_key, "state": state, "now": now}
    await _SAVE_STATE.run_async(connection, params)


async def claim_update(
    session: AsyncSession,
    channel: str,
    update_id: str,
    now: datetime,
    user_key: str | None = None,
) -> bool:
    """Record the update as processed (by whom: erasing them erases it), and take it out
    of the inbox (long polling stored it there); False when it already was processed."""
    statement = insert_ignoring_duplicates(
        session,
        ProcessedUpdate,
        channel=channel,
        update_id=update_id,
        processed_at=now,
        user_key=user_key,
    )
    result = await session.exec(statement)
    await forget_inbound(session, channel, [update_id])
    return bool(result.rowcount)


async def prune_processed_updates(session: AsyncSession, older_than: datetime) -> int:
    statement = delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < older_than)
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def prune_unregistered_conversations(session: AsyncSession, older_than: datetime) -> int:
    """Forget the chats of people who are not members (strangers, erased members) once
    they have been silent since `older_than`; a member's form waits however long."""
    registered = (
        core_select(col(Member.id))
        .where(
            col(Member.channel) == col(Conversation.channel),
            col(Member.user_key) == col(Conversation.user_key),
        )
        .exists()
    )
    statement = delete(Conversation).where(col(Conversation.updated_at) < older_than, ~registered)
    result = await session.exec(statement)
    return int(result.rowcount or 0)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One fetched update as the platform sent it, and who sent it."""

    update_id: str
    user_key: str | None
    payload: str


async def store_inbound(
    session: AsyncSession, channel: str, updates: Sequence[Inbound], now: datetime
) -> None:
    """Keep fetched updates until handled; one fetched again is kept once."""
    if not updates:
        return
    rows = [
        {
            "channel": channel,
            "update_id": u.update_id,
            "user_key": u.user_key,
            "payload": u.payload,
            "received_at": now,
        }
        for u in updates
    ]
    statement = dialect_insert(session, Inbox).values(rows).on_conflict_do_nothing()
    await session.exec(statement)


async def forget_inbound(session: AsyncSession, channel: str, update_ids: Sequence[str]) -> None:
    """Handled updates leave the inbox."""
    if update_ids:
        await session.exec(
            delete(Inbox).where(col(Inbox.channel) == channel, col(Inbox.update_id).in_(update_ids))
        )


async def stored_inbound(session: AsyncSession, channel: str) -> list[str]:
    """The payloads still waiting, in the order they arrived."""
    query = select(Inbox.payload).where(Inbox.channel == channel).order_by(col(Inbox.id))
    return list((await session.exec(query)).all())
