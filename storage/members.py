"""Members: who they are, what they see, who receives what, and erasing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFoundError
from storage.models import (
    PROFILE_KEYS,
    Conversation,
    Inbox,
    Invite,
    Kampung,
    Member,
    MemberUnit,
    Outbox,
    ProcessedUpdate,
    ReportRevision,
    Unit,
    ViewVersion,
)
from storage.organisation import POKJA_KIND
from storage.outbox import OutboxStatus
from storage.photos import erase_sender
from storage.roles import Role, as_role
from storage.views import MemberListing, MemberView, UnitView

INBOUND_PRECISION = timedelta(minutes=5)


async def get_member(session: AsyncSession, channel: str, user_key: str) -> Member | None:
    query = select(Member).where(Member.channel == channel, Member.user_key == user_key)
    return (await session.exec(query)).first()


# --- a member's view, in Core statements built once (the turn's hot path) ---------------

_member = Member.__table__  # type: ignore[attr-defined]
_unit = Unit.__table__  # type: ignore[attr-defined]
_kampung = Kampung.__table__  # type: ignore[attr-defined]
_member_unit = MemberUnit.__table__  # type: ignore[attr-defined]
_outbox = Outbox.__table__  # type: ignore[attr-defined]
_view_version = ViewVersion.__table__  # type: ignore[attr-defined]

# The member's own columns, and the view version read in the same statement: a view kept
# in memory is checked against both on every turn (MemberViews).
MEMBER_ROW = core_select(
    _member.c.id,
    _member.c.name,
    _member.c.role,
    _member.c.kampung_id,
    _member.c.kecamatan,
    _member.c.last_inbound_at,
    core_select(_view_version.c.version).where(_view_version.c.id == 1).scalar_subquery(),
).where(_member.c.channel == bindparam("channel"), _member.c.user_key == bindparam("user_key"))
_UNITS = (
    core_select(
        _unit.c.id,
        _unit.c.slug,
        _unit.c.kind,
        _unit.c.name,
        _unit.c.rw,
        _unit.c.meets,
        _kampung.c.id,
        _kampung.c.name,
        *(_kampung.c[key] for key in PROFILE_KEYS),
    )
    .join(_kampung, _unit.c.kampung_id == _kampung.c.id)
    .where(_unit.c.active.is_(True))
    .order_by(_kampung.c.name, _unit.c.id)
)
_UNITS_OF = {
    # A kader's own units, and their Kampung KB's pokja unit: any member reports kegiatan.
    "kader": _UNITS.where(
        or_(
            _unit.c.id.in_(
                core_select(_member_unit.c.unit_id).where(
                    _member_unit.c.member_id == bindparam("member_id")
                )
            ),
            and_(_unit.c.kind == POKJA_KIND, _unit.c.kampung_id == bindparam("kampung_id")),
        )
    ),
    "ketua": _UNITS.where(_unit.c.kampung_id == bindparam("kampung_id")),
    "plkb": _UNITS.where(_kampung.c.kecamatan == bindparam("kecamatan")),
}
_KAMPUNG_PLACE = core_select(_kampung.c.name, _kampung.c.timezone, _kampung.c.kecamatan).where(
    _kampung.c.id == bindparam("kampung_id")
)
_KECAMATAN_TIMEZONE = (
    core_select(_kampung.c.timezone).where(_kampung.c.kecamatan == bindparam("kecamatan")).limit(1)
)
_NOTE_INBOUND = (
    update(_member)
    .where(_member.c.id == bindparam("member"))
    .values(last_inbound_at=bindparam("now", type_=_member.c.last_inbound_at.type))
)
_WAITING_DUE = (
    update(_outbox)
    .where(
        _outbox.c.member_id == bindparam("member"),
        _outbox.c.status == OutboxStatus.WAITING.value,
    )
    .values(
        status=OutboxStatus.PENDING.value,
        next_attempt_at=bindparam("now", type_=_outbox.c.next_attempt_at.type),
    )
)


def _unit_of(row: Sequence[Any]) -> UnitView:
    unit_id, slug, kind, name, rw, meets, kampung_id, kampung_name, *profile = row
    return UnitView(
        id=unit_id,
        slug=slug,
        kind=kind,
        name=name,
        rw=rw,
        meets=meets,
        kampung_id=kampung_id,
        kampung_name=kampung_name,
        profile={key: int(n) for key, n in zip(PROFILE_KEYS, profile, strict=True)},
    )


def build_member_view(connection: Connection, member: Sequence[Any]) -> MemberView:
    """The member (a MEMBER_ROW) with the units they may report for (kader) or see
    (ketua, PLKB), their place and time zone."""
    member_id, name, role, kampung_id, kecamatan = member[:5]
    found = connection.execute(
        _UNITS_OF[as_role(role)],
        {"member_id": member_id, "kampung_id": kampung_id, "kecamatan": kecamatan},
    )
    units = tuple(_unit_of(row) for row in found)
    place_row = (
        connection.execute(_KAMPUNG_PLACE, {"kampung_id": kampung_id}).first()
        if kampung_id is not None
        else None
    )
    if place_row is not None:
        place, timezone, kecamatan = place_row
    else:
        place = f"Kecamatan {kecamatan}"
        first = connection.execute(_KECAMATAN_TIMEZONE, {"kecamatan": kecamatan}).scalar()
        timezone = first or "Asia/Jakarta"
    return MemberView(
        id=member_id,
        name=name,
        role=as_role(role),
        place=place,
        kampung_id=kampung_id,
        timezone=timezone,
        units=units,
        kecamatan=kecamatan,
    )


class MemberViews:
    """Members' views kept in memory, each with the view version it was built at.

    A view is served only while the view version (raised by triggers on every change to
    kampung, unit and member_unit, in any worker or command) and the member's own row
    (name, role, kampung, kecamatan, read on every turn) are what they were when it was
    built.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self._limit = limit
        self._views: dict[int, tuple[tuple[Any, ...], MemberView]] = {}

    def view(self, connection: Connection, member: Sequence[Any]) -> MemberView:
        """The view of a MEMBER_ROW: kept, or built now (and kept)."""
        key = (*member[1:5], member[6])  # name, role, kampung, kecamatan, view version
        kept = self._views.get(member[0])
        if kept is not None and kept[0] == key:
            return kept[1]
        built = build_member_view(connection, member)
        if len(self._views) >= self._limit:
            self._views.clear()  # rare: more members than the limit wrote recently
        self._views[member[0]] = (key, built)
        return built


def note_inbound(connection: Connection, member: Sequence[Any], now: datetime) -> None:
    """Record the message of a member (a MEMBER_ROW); queued messages that waited for it
    are due again.

    Written at most every few minutes: the 24-hour window needs no finer clock, and a
    write per turn would cost every turn.
    """
    last: datetime | None = member[5]
    if last is not None and now - last < INBOUND_PRECISION:
        return
    connection.execute(_NOTE_INBOUND, {"member": member[0], "now": now})
    connection.execute(_WAITING_DUE, {"member": member[0], "now": now})


async def member_view(session: AsyncSession, member: Member) -> MemberView:
    """The member with the units they may report for (kader) or see (ketua, PLKB)."""
    connection = await session.connection()
    params = {"channel": member.channel, "user_key": member.user_key}
    row = (await connection.execute(MEMBER_ROW, params)).one()
    return await connection.run_sync(build_member_view, row)


async def member_view_by_id(session: AsyncSession, member_id: int) -> MemberView | None:
    """The member's view by id; None for no such member, or an erased one."""
    member = await session.get(Member, member_id)
    if member is None or member.erased_at is not None:
        return None
    return await member_view(session, member)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    channel: str
    user_key: str
    name: str
    role: Role
    kampung_id: int | None
    kecamatan: str | None
    reminders_on: bool
    last_inbound_at: datetime | None = None


def _recipient(member: Member) -> Recipient:
    assert member.id is not None
    return Recipient(
        member.id,
        member.channel,
        member.user_key,
        member.name,
        as_role(member.role),
        member.kampung_id,
        member.kecamatan,
        member.reminders_on,
        member.last_inbound_at,
    )


async def recipients(
    session: AsyncSession, *, role: Role, kampung_ids: Sequence[int] | None = None
) -> list[Recipient]:
    """Members of a role (of these kampung, when given); erased members are nobody's."""
    query = select(Member).where(Member.role == role, col(Member.erased_at).is_(None))
    if kampung_ids is not None:
        query = query.where(col(Member.kampung_id).in_(kampung_ids))
    return [_recipient(m) for m in (await session.exec(query.order_by(col(Member.id)))).all()]


async def kader_by_unit(
    session: AsyncSession, unit_ids: Sequence[int]
) -> dict[int, list[Recipient]]:
    query = (
        select(MemberUnit.unit_id, Member)
        .join(Member, col(Member.id) == col(MemberUnit.member_id))
        .where(col(MemberUnit.unit_id).in_(unit_ids), col(Member.erased_at).is_(None))
        .order_by(col(Member.id))
    )
    found: dict[int, list[Recipient]] = {unit_id: [] for unit_id in unit_ids}
    for unit_id, member in (await session.exec(query)).all():
        found[unit_id].append(_recipient(member))
    return found


async def get_recipient(session: AsyncSession, member_id: int) -> Recipient | None:
    """The member as a recipient; None once they were erased."""
    member = await session.get(Member, member_id)
    return _recipient(member) if member and member.erased_at is None else None


async def set_reminders(session: AsyncSession, member_id: int, on: bool) -> None:
    member = await session.get(Member, member_id)
    assert member is not None
    member.reminders_on = on
    session.add(member)
    await session.flush()


async def list_members(session: AsyncSession, kampung_slug: str | None = None) -> list[Recipient]:
    query = select(Member).where(col(Member.erased_at).is_(None))
    if kampung_slug is not None:
        kampung = (await session.exec(select(Kampung).where(Kampung.slug == kampung_slug))).first()
        if kampung is None:
            raise NotFoundError(f"no kampung with slug {kampung_slug!r}")
        query = query.where(Member.kampung_id == kampung.id)
    return [_recipient(m) for m in (await session.exec(query.order_by(col(Member.id)))).all()]


async def erase_member(session: AsyncSession, member_id: int, now: datetime) -> None:
    """Forget who the member was: name, chat id, their conversation, processed update ids,
    updates waiting in the inbox, messages to them (queued or sent), units. The reports
    they made stay, attributed to nobody by name; they are never a recipient again."""
    member = await session.get(Member, member_id)
    if member is None or member.erased_at is not None:
        raise NotFoundError(f"no member with id {member_id}")
    for table in (Conversation, ProcessedUpdate, Inbox):
        await session.exec(
            delete(table).where(
                col(table.channel) == member.channel, col(table.user_key) == member.user_key
            )
        )
    await erase_sender(session, member.channel, member.user_key, f"removed-{member_id}")
    await session.exec(delete(MemberUnit).where(col(MemberUnit.member_id) == member_id))
    await session.exec(delete(Outbox).where(col(Outbox.member_id) == member_id))
    # Codes they made and nobody used end now: a ketua removed must not come back (or let
    # anyone in) with a code made before.
    await session.exec(
        update(Invite)
        .where(
            col(Invite.created_by) == member_id,
            col(Invite.used_at).is_(None),
            col(Invite.expires_at) > now,
        )
        .values(expires_at=now)
    )
    member.name = ""
    member.user_key = f"removed-{member_id}"
    member.reminders_on = False
    member.last_inbound_at = None
    member.erased_at = now
    session.add(member)
    await session.flush()


# --- the members a ketua (or PLKB) manages from the chat -----------------------------------


async def managed_members(session: AsyncSession, manager_id: int) -> list[MemberListing]:
    """The members `manager_id` sees in the member list and may remove: a ketua, every
    member of their Kampung KB (themself included); a PLKB, the ketua of the Kampung KB of
    their kecamatan; a kader, nobody. Erased members are nobody's."""
    manager = await session.get(Member, manager_id)
    if manager is None or manager.erased_at is not None:
        return []
    query = (
        select(Member, Kampung)
        .join(Kampung, col(Kampung.id) == col(Member.kampung_id))
        .where(col(Member.erased_at).is_(None))
    )
    if manager.role == "ketua":
        query = query.where(Member.kampung_id == manager.kampung_id)
    elif manager.role == "plkb":
        query = query.where(Member.role == "ketua", Kampung.kecamatan == manager.kecamatan)
    else:
        return []
    rows = (await session.exec(query.order_by(col(Kampung.name), col(Member.id)))).all()
    ids = [member.id for member, _ in rows]
    units: dict[int, list[str]] = {}
    unit_rows = await session.exec(
        select(MemberUnit.member_id, Unit.name)
        .join(Unit, col(Unit.id) == col(MemberUnit.unit_id))
        .where(col(MemberUnit.member_id).in_(ids), col(Unit.active).is_(True))
        .order_by(col(Unit.id))
    )
    for member_id, unit_name in unit_rows.all():
        units.setdefault(member_id, []).append(unit_name)
    last_rows = await session.exec(
        select(ReportRevision.reported_by, func.max(ReportRevision.period))
        .where(col(ReportRevision.reported_by).in_(ids))
        .group_by(col(ReportRevision.reported_by))
    )
    last = {member_id: period for member_id, period in last_rows.all()}
    listed = []
    for member, kampung in rows:
        assert member.id is not None
        listed.append(
            MemberListing(
                id=member.id,
                name=member.name,
                role=as_role(member.role),
                channel=member.channel,
                kampung_name=kampung.name,
                units=tuple(units.get(member.id, ())),
                last_period=last.get(member.id),
            )
        )
    return listed


async def may_remove(session: AsyncSession, manager_id: int, member_id: int) -> bool:
    """Whether `manager_id` may remove `member_id` from the chat, read afresh: one of the
    members they manage, and never themself."""
    if manager_id == member_id:
        return False
    return member_id in {m.id for m in await managed_members(session, manager_id)}
