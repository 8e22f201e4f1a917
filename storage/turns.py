"""The start of a turn as one unit of work on one connection: claim the update, take it
out of the inbox, read the member (with the view version) and their conversation state.
(The turn ends with storage.save_state, one statement built once as well.)

Core statements built once (SQLAlchemy's compiled cache serves them after the first
turn), run together in one call into the session's connection, not one awaited ORM query
each: on SQLite that is one pass with no hop to another thread, and no ORM entities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.members import MEMBER_ROW, MemberViews, note_inbound
from storage.models import Conversation, Inbox, ProcessedUpdate
from storage.prepared import Prepared
from storage.views import MemberView

_processed = ProcessedUpdate.__table__  # type: ignore[attr-defined]
_inbox = Inbox.__table__  # type: ignore[attr-defined]
_conversation = Conversation.__table__  # type: ignore[attr-defined]

_CLAIM = Prepared(
    {
        name: dialect.insert(_processed)
        .values(
            channel=bindparam("channel"),
            update_id=bindparam("update_id"),
            processed_at=bindparam("now"),
            user_key=bindparam("user_key"),
        )
        .on_conflict_do_nothing()
        for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
    }
)
_FORGET = Prepared(
    delete(_inbox).where(
        _inbox.c.channel == bindparam("channel"), _inbox.c.update_id == bindparam("update_id")
    )
)
_MEMBER = Prepared(MEMBER_ROW)
# Locked for the transaction: two workers may get two updates of one user at once; the
# row lock makes the second wait for the first (SQLite's write transactions are serial).
_STATE = Prepared(
    core_select(_conversation.c.state)
    .where(
        _conversation.c.channel == bindparam("channel"),
        _conversation.c.user_key == bindparam("user_key"),
    )
    .with_for_update()
)


@dataclass(frozen=True, slots=True)
class TurnStart:
    member: MemberView | None
    state: str | None  # the conversation state as stored (JSON), None when there is none


async def begin_turn(
    session: AsyncSession,
    views: MemberViews,
    *,
    channel: str,
    user_key: str,
    update_id: str | None,
    now: datetime,
) -> TurnStart | None:
    """Claim the update (None when it was processed already: a redelivery), and read what
    the turn starts from, in the session's transaction."""

    def start(sync: Session) -> TurnStart | None:
        connection = sync.connection()
        keys = {"channel": channel, "user_key": user_key}
        if update_id is not None:
            params = {**keys, "update_id": update_id, "now": now}
            if not _CLAIM.run(connection, params):
                return None
            _FORGET.run(connection, params)
        found = _MEMBER.rows(connection, keys)
        member = found[0] if found else None
        view = None
        if member is not None:
            note_inbound(connection, member, now)
            view = views.view(connection, member)
        states = _STATE.rows(connection, keys)
        state = states[0][0] if states else None
        return TurnStart(view, state)

    return await session.run_sync(start)
