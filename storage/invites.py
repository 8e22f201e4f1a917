"""Single-use invite codes, and registering a member (or a unit) with one."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import InviteTakenError, NotFoundError
from storage.models import (
    Invite,
    Kampung,
    Member,
    MemberUnit,
    Unit,
)
from storage.roles import Role, as_role
from storage.views import InviteView

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud
INVITE_LENGTH = 8
# How long a code is valid unless the operator says otherwise: the CLI's default, and
# every code made in the chat (/undang).
INVITE_VALID_DAYS = 7


def new_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


async def create_invites(
    session: AsyncSession,
    *,
    role: Role,
    kampung_slug: str | None,
    unit_slug: str | None,
    kecamatan: str | None,
    count: int,
    now: datetime,
    valid_for: timedelta,
) -> list[str]:
    """Store `count` single-use codes and return them. Raises NotFoundError for bad names."""
    kampung_id: int | None = None
    unit_id: int | None = None
    if kampung_slug is not None:
        kampung = (await session.exec(select(Kampung).where(Kampung.slug == kampung_slug))).first()
        if kampung is None:
            raise NotFoundError(f"no kampung with slug {kampung_slug!r} in the database")
        kampung_id = kampung.id
        if role == "plkb":
            kecamatan, kampung_id = kampung.kecamatan, None
    if unit_slug is not None:
        query = select(Unit).where(Unit.kampung_id == kampung_id, Unit.slug == unit_slug)
        unit = (await session.exec(query)).first()
        if unit is None:
            raise NotFoundError(f"no unit {unit_slug!r} in kampung {kampung_slug!r}")
        unit_id = unit.id
    if role == "plkb":
        found = (await session.exec(select(Kampung).where(Kampung.kecamatan == kecamatan))).first()
        if found is None:
            raise NotFoundError(f"no kampung in kecamatan {kecamatan!r}")
    codes = [new_code() for _ in range(count)]
    for code in codes:
        session.add(
            Invite(
                code=code,
                role=role,
                kampung_id=kampung_id,
                unit_id=unit_id,
                kecamatan=kecamatan if role == "plkb" else None,
                created_at=now,
                expires_at=now + valid_for,
            )
        )
    await session.flush()
    return codes


async def create_invite(
    session: AsyncSession,
    *,
    code: str,
    role: Role,
    kampung_id: int,
    unit_id: int | None,
    now: datetime,
    created_by: int | None = None,
) -> None:
    """Store one single-use code (made beforehand with new_code) for a kader of a unit or a
    ketua of a Kampung KB, valid INVITE_VALID_DAYS, made by member `created_by`. Raises
    NotFoundError when the unit is not an active unit of that Kampung KB."""
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
        if unit is None or unit.kampung_id != kampung_id or not unit.active:
            raise NotFoundError(f"no active unit {unit_id} in kampung {kampung_id}")
    elif await session.get(Kampung, kampung_id) is None:
        raise NotFoundError(f"no kampung {kampung_id}")
    session.add(
        Invite(
            code=code,
            role=role,
            kampung_id=kampung_id,
            unit_id=unit_id,
            created_at=now,
            expires_at=now + timedelta(days=INVITE_VALID_DAYS),
            created_by=created_by,
        )
    )
    await session.flush()


async def find_invite(session: AsyncSession, code: str) -> InviteView | None:
    invite = (await session.exec(select(Invite).where(Invite.code == code))).first()
    if invite is None:
        return None
    assert invite.id is not None
    kampung = await session.get(Kampung, invite.kampung_id) if invite.kampung_id else None
    unit = await session.get(Unit, invite.unit_id) if invite.unit_id else None
    place = kampung.name if kampung else f"Kecamatan {invite.kecamatan}"
    return InviteView(
        id=invite.id,
        code=invite.code,
        role=as_role(invite.role),
        place=place,
        kampung_id=invite.kampung_id,
        unit_id=invite.unit_id,
        unit_name=unit.name if unit else None,
        expires_at=invite.expires_at,
        used=invite.used_at is not None,
    )


async def _take_invite(session: AsyncSession, invite_id: int, now: datetime) -> Invite:
    """Mark the invite used, if nobody has: one conditional UPDATE, so of two turns using
    one code at once exactly one gets it (the other waits for its row lock on PostgreSQL,
    then finds it used). Raises InviteTakenError for the other."""
    taken = await session.exec(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None))
        .values(used_at=now)
    )
    if not taken.rowcount:
        raise InviteTakenError(f"invite {invite_id} is already used")
    invite = await session.get(Invite, invite_id)
    assert invite is not None
    return invite


async def _link_invite(session: AsyncSession, invite: Invite, member_id: int) -> None:
    await session.exec(update(Invite).where(col(Invite.id) == invite.id).values(used_by=member_id))
    if invite.unit_id is not None:
        link = await session.get(MemberUnit, (member_id, invite.unit_id))
        if link is None:
            session.add(MemberUnit(member_id=member_id, unit_id=invite.unit_id))
    await session.flush()


async def register_member(
    session: AsyncSession,
    *,
    invite_id: int,
    channel: str,
    user_key: str,
    name: str,
    now: datetime,
) -> Member:
    invite = await _take_invite(session, invite_id, now)
    member = Member(
        channel=channel,
        user_key=user_key,
        name=name,
        role=invite.role,
        kampung_id=invite.kampung_id,
        kecamatan=invite.kecamatan,
        created_at=now,
        last_inbound_at=now,  # registering is a message from them
    )
    session.add(member)
    await session.flush()
    assert member.id is not None
    await _link_invite(session, invite, member.id)
    return member


async def add_member_unit(
    session: AsyncSession, *, invite_id: int, member_id: int, now: datetime
) -> None:
    await _link_invite(session, await _take_invite(session, invite_id, now), member_id)
