"""Single-use invite codes, and registering a member (or a unit) with one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import select
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


_invite = Invite.__table__  # type: ignore[attr-defined]
_member = Member.__table__  # type: ignore[attr-defined]
_member_unit = MemberUnit.__table__  # type: ignore[attr-defined]
_kampung = Kampung.__table__  # type: ignore[attr-defined]
_unit = Unit.__table__  # type: ignore[attr-defined]
# Reading and using a code (the /start turn), in Core statements built once.
_INVITE = (
    core_select(
        _invite.c.id,
        _invite.c.code,
        _invite.c.role,
        _invite.c.kampung_id,
        _invite.c.unit_id,
        _invite.c.kecamatan,
        _invite.c.expires_at,
        _invite.c.used_at,
        _kampung.c.name,
        _unit.c.name,
    )
    .outerjoin(_kampung, _kampung.c.id == _invite.c.kampung_id)
    .outerjoin(_unit, _unit.c.id == _invite.c.unit_id)
    .where(_invite.c.code == bindparam("code"))
)
_TAKE = (
    update(_invite)
    .where(_invite.c.id == bindparam("invite_id"), _invite.c.used_at.is_(None))
    .values(used_at=bindparam("now", type_=_invite.c.used_at.type))
)
_TAKEN = core_select(
    _invite.c.role, _invite.c.kampung_id, _invite.c.kecamatan, _invite.c.unit_id
).where(_invite.c.id == bindparam("invite_id"))
_USED_BY = (
    update(_invite)
    .where(_invite.c.id == bindparam("invite_id"))
    .values(used_by=bindparam("member_id"))
)
_LINKED = core_select(_member_unit.c.member_id).where(
    _member_unit.c.member_id == bindparam("member_id"),
    _member_unit.c.unit_id == bindparam("unit_id"),
)
_NEW_MEMBER = _member.insert()
_NEW_LINK = _member_unit.insert()


async def find_invite(session: AsyncSession, code: str) -> InviteView | None:
    connection = await session.connection()
    row = (await connection.execute(_INVITE, {"code": code})).first()
    if row is None:
        return None
    invite_id, code, role, kampung_id, unit_id, kecamatan, expires_at, used_at, place, unit = row
    return InviteView(
        id=invite_id,
        code=code,
        role=as_role(role),
        place=place if kampung_id is not None else f"Kecamatan {kecamatan}",
        kampung_id=kampung_id,
        unit_id=unit_id,
        unit_name=unit,
        expires_at=expires_at,
        used=used_at is not None,
    )


@dataclass(frozen=True, slots=True)
class _Taken:
    role: str
    kampung_id: int | None
    kecamatan: str | None
    unit_id: int | None


async def _take_invite(session: AsyncSession, invite_id: int, now: datetime) -> _Taken:
    """Mark the invite used, if nobody has: one conditional UPDATE, so of two turns using
    one code at once exactly one gets it (the other waits for its row lock on PostgreSQL,
    then finds it used). Raises InviteTakenError for the other."""
    connection = await session.connection()
    taken = await connection.execute(_TAKE, {"invite_id": invite_id, "now": now})
    if not taken.rowcount:
        raise InviteTakenError(f"invite {invite_id} is already used")
    row = (await connection.execute(_TAKEN, {"invite_id": invite_id})).one()
    return _Taken(*row)


async def _link_invite(
    session: AsyncSession, invite_id: int, unit_id: int | None, member_id: int
) -> None:
    connection = await session.connection()
    await connection.execute(_USED_BY, {"invite_id": invite_id, "member_id": member_id})
    if unit_id is not None:
        link = {"member_id": member_id, "unit_id": unit_id}
        if (await connection.execute(_LINKED, link)).first() is None:
            await connection.execute(_NEW_LINK, link)
    # Written past the ORM: objects it holds for these rows are read afresh when used.
    session.expire_all()


async def register_member(
    session: AsyncSession,
    *,
    invite_id: int,
    channel: str,
    user_key: str,
    name: str,
    now: datetime,
) -> Member:
    """Register the user with the invite (used up here); the member as stored (a copy:
    not attached to the session)."""
    invite = await _take_invite(session, invite_id, now)
    values: dict[str, Any] = {
        "channel": channel,
        "user_key": user_key,
        "name": name,
        "role": invite.role,
        "kampung_id": invite.kampung_id,
        "kecamatan": invite.kecamatan,
        "reminders_on": True,
        "created_at": now,
        "last_inbound_at": now,  # registering is a message from them
        "erased_at": None,
    }
    connection = await session.connection()
    inserted = await connection.execute(_NEW_MEMBER, values)
    key = inserted.inserted_primary_key
    assert key is not None
    member_id = int(key[0])
    await _link_invite(session, invite_id, invite.unit_id, member_id)
    return Member(id=member_id, **values)


async def add_member_unit(
    session: AsyncSession, *, invite_id: int, member_id: int, now: datetime
) -> None:
    invite = await _take_invite(session, invite_id, now)
    await _link_invite(session, invite_id, invite.unit_id, member_id)
