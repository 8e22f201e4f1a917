"""Unlock grants: a ketua reopens a unit's month for one kader after the report deadline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.database import dialect_insert
from storage.models import Member, Unit, UnlockGrant
from storage.prepared import Prepared
from storage.views import GrantView


async def grant_unlock(
    session: AsyncSession,
    *,
    unit_id: int,
    period: str,
    member_id: int,
    granted_by: int,
    expires_at: datetime,
    now: datetime,
) -> None:
    """Open the unit's month for the kader until `expires_at`; a second grant keeps the
    later expiry, so pressing Buka twice is harmless."""
    insert = dialect_insert(session, UnlockGrant).values(
        unit_id=unit_id,
        period=period,
        member_id=member_id,
        granted_by=granted_by,
        granted_at=now,
        expires_at=expires_at,
    )
    table = UnlockGrant.__table__  # type: ignore[attr-defined]
    later = insert.excluded.expires_at > table.c.expires_at
    statement = insert.on_conflict_do_update(
        index_elements=["unit_id", "period", "member_id"],
        set_={"granted_by": granted_by, "granted_at": now, "expires_at": expires_at},
        where=later,
    )
    await session.exec(statement)


# Read by a kader's turns where the deadline lock is checked: built once.
_OPEN_GRANTS = Prepared(
    core_select(
        col(UnlockGrant.unit_id),
        col(UnlockGrant.period),
        col(UnlockGrant.member_id),
        col(UnlockGrant.expires_at),
    ).where(
        col(UnlockGrant.member_id) == bindparam("member_id"),
        col(UnlockGrant.expires_at) > bindparam("now"),
    )
)


async def open_grants(session: AsyncSession, member_id: int, now: datetime) -> list[GrantView]:
    """The member's grants that have not expired."""
    connection = await session.connection()
    rows = await _OPEN_GRANTS.rows_async(connection, {"member_id": member_id, "now": now})
    return [GrantView(*row) for row in rows]


async def open_grants_of_units(
    session: AsyncSession, unit_ids: Sequence[int], period: str, now: datetime
) -> list[GrantView]:
    """The month's grants of these units that have not expired, with unit and kader names."""
    if not unit_ids:
        return []
    query = (
        select(UnlockGrant, Unit.name, Member.name)
        .join(Unit, col(Unit.id) == col(UnlockGrant.unit_id))
        .join(Member, col(Member.id) == col(UnlockGrant.member_id))
        .where(
            col(UnlockGrant.unit_id).in_(unit_ids),
            UnlockGrant.period == period,
            col(UnlockGrant.expires_at) > now,
            col(Member.erased_at).is_(None),
        )
        .order_by(col(Unit.name), col(Member.name))
    )
    return [
        GrantView(g.unit_id, g.period, g.member_id, g.expires_at, unit_name, member_name)
        for g, unit_name, member_name in (await session.exec(query)).all()
    ]
