"""Members: who they are, what they see, who receives what, and erasing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFoundError
from storage.models import (
    Conversation,
    Inbox,
    Kampung,
    Member,
    MemberUnit,
    Outbox,
    ProcessedUpdate,
    ReportRevision,
    Unit,
)
from storage.organisation import POKJA_KIND, unit_view
from storage.outbox import OutboxStatus
from storage.photos import erase_sender
from storage.roles import Role, as_role
from storage.views import MemberListing, MemberView

INBOUND_PRECISION = timedelta(minutes=5)


async def get_member(session: AsyncSession, channel: str, user_key: str) -> Member | None:
    query = select(Member).where(Member.channel == channel, Member.user_key == user_key)
    return (await session.exec(query)).first()


async def member_view(session: AsyncSession, member: Member) -> MemberView:
    """The member with the units they may report for (kader) or see (ketua, PLKB)."""
    assert member.id is not None
    query = select(Unit, Kampung).join(Kampung).where(col(Unit.active).is_(True))
    if member.role == "kader":
        # Their own units, and their Kampung KB's pokja unit: any member reports kegiatan.
        own = select(MemberUnit.unit_id).where(MemberUnit.member_id == member.id)
        query = query.where(
            or_(
                col(Unit.id).in_(own),
                and_(col(Unit.kind) == POKJA_KIND, col(Unit.kampung_id) == member.kampung_id),
            )
        )
    elif member.role == "ketua":
        query = query.where(Unit.kampung_id == member.kampung_id)
    else:
        query = query.where(Kampung.kecamatan == member.kecamatan)
    rows = (await session.exec(query.order_by(col(Kampung.name), col(Unit.id)))).all()
    units = tuple(unit_view(unit, kampung) for unit, kampung in rows)
    kampung = await session.get(Kampung, member.kampung_id) if member.kampung_id else None
    kecamatan: str | None
    if kampung is not None:
        place, timezone, kecamatan = kampung.name, kampung.timezone, kampung.kecamatan
    else:
        kecamatan = member.kecamatan
        first = (
            await session.exec(select(Kampung).where(Kampung.kecamatan == member.kecamatan))
        ).first()
        place = f"Kecamatan {member.kecamatan}"
        timezone = first.timezone if first else "Asia/Jakarta"
    assert member.id is not None
    return MemberView(
        id=member.id,
        name=member.name,
        role=as_role(member.role),
        place=place,
        kampung_id=member.kampung_id,
        timezone=timezone,
        units=units,
        kecamatan=kecamatan,
    )


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


async def note_inbound(session: AsyncSession, member: Member, now: datetime) -> None:
    """Record the member's message; queued messages that waited for it are due again.

    Written at most every few minutes: the 24-hour window needs no finer clock, and a
    write per turn would cost every turn.
    """
    last = member.last_inbound_at
    if last is not None and now - last < INBOUND_PRECISION:
        return
    member.last_inbound_at = now
    session.add(member)
    await session.exec(
        update(Outbox)
        .where(col(Outbox.member_id) == member.id, col(Outbox.status) == OutboxStatus.WAITING.value)
        .values(status=OutboxStatus.PENDING.value, next_attempt_at=now)
    )
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
