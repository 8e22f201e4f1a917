"""Queries. Every function takes the session; the caller owns the transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import photos
from storage.models import (
    Conversation,
    Inbox,
    Invite,
    Kampung,
    Member,
    MemberUnit,
    Outbox,
    ProcessedUpdate,
    Report,
    ReportRevision,
    ReportValue,
    Unit,
    UTCDateTime,
)
from storage.views import InviteView, KampungView, MemberView, ReportView, UnitView

# The implicit unit every Kampung KB has for its kegiatan (handlers.forms.POKJA_KIND;
# storage does not import handlers).
POKJA_KIND = "pokja"
POKJA_SLUG = "pokja"
INBOUND_PRECISION = timedelta(minutes=5)
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud
INVITE_LENGTH = 8


class NotFoundError(LookupError):
    """A kampung, unit or kecamatan named by the caller does not exist."""


class InviteTakenError(Exception):
    """Another turn used the invite after this one read it: this turn must not use it."""


# --- organisation -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitSeed:
    slug: str
    kind: str
    name: str
    rw: str
    meets: str | None


@dataclass(frozen=True, slots=True)
class KampungSeed:
    slug: str
    name: str
    kelurahan: str
    kecamatan: str
    kabupaten: str
    timezone: str
    pokja_meets: str | None
    keluarga_balita: int
    keluarga_remaja: int
    keluarga_lansia: int
    keluarga: int
    remaja: int
    pus: int
    units: tuple[UnitSeed, ...]


async def sync_organisation(session: AsyncSession, seeds: Sequence[KampungSeed]) -> None:
    """Make the kampung and unit rows match config; units no longer listed become inactive."""
    existing = {k.slug: k for k in (await session.exec(select(Kampung))).all()}
    for seed in seeds:
        kampung = existing.get(seed.slug) or Kampung(
            slug=seed.slug,
            name=seed.name,
            kelurahan=seed.kelurahan,
            kecamatan=seed.kecamatan,
            kabupaten=seed.kabupaten,
            timezone=seed.timezone,
        )
        for attribute in (
            "name",
            "kelurahan",
            "kecamatan",
            "kabupaten",
            "timezone",
            "pokja_meets",
            "keluarga_balita",
            "keluarga_remaja",
            "keluarga_lansia",
            "keluarga",
            "remaja",
            "pus",
        ):
            setattr(kampung, attribute, getattr(seed, attribute))
        session.add(kampung)
        await session.flush()
        assert kampung.id is not None
        units = {
            u.slug: u
            for u in (await session.exec(select(Unit).where(Unit.kampung_id == kampung.id))).all()
        }
        # Every Kampung KB is also a unit of its own, which reports kegiatan (not in config).
        pokja = UnitSeed(POKJA_SLUG, POKJA_KIND, f"Pokja {seed.name}", "", None)
        for unit_seed in (*seed.units, pokja):
            unit = units.pop(unit_seed.slug, None) or Unit(
                kampung_id=kampung.id, slug=unit_seed.slug, kind=unit_seed.kind, name=""
            )
            unit.kind, unit.name = unit_seed.kind, unit_seed.name
            unit.rw, unit.meets, unit.active = unit_seed.rw, unit_seed.meets, True
            session.add(unit)
        for gone in units.values():
            gone.active = False
            session.add(gone)
    await session.flush()


def _unit_view(unit: Unit, kampung: Kampung) -> UnitView:
    assert unit.id is not None and kampung.id is not None
    return UnitView(
        id=unit.id,
        slug=unit.slug,
        kind=unit.kind,
        name=unit.name,
        rw=unit.rw,
        meets=unit.meets,
        kampung_id=kampung.id,
        kampung_name=kampung.name,
        profile={
            "keluarga_balita": kampung.keluarga_balita,
            "keluarga_remaja": kampung.keluarga_remaja,
            "keluarga_lansia": kampung.keluarga_lansia,
            "keluarga": kampung.keluarga,
            "remaja": kampung.remaja,
            "pus": kampung.pus,
        },
    )


# --- members ----------------------------------------------------------------------------


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
    units = tuple(_unit_view(unit, kampung) for unit, kampung in rows)
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
        role=member.role,
        place=place,
        kampung_id=member.kampung_id,
        timezone=timezone,
        units=units,
        kecamatan=kecamatan,
    )


# --- invites ----------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


async def create_invites(
    session: AsyncSession,
    *,
    role: str,
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
    codes = [_new_code() for _ in range(count)]
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
        role=invite.role,
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


# --- reports ----------------------------------------------------------------------------


async def _values_by_revision(
    session: AsyncSession, revision_ids: Iterable[int]
) -> dict[int, dict[str, int | str]]:
    ids = list(revision_ids)
    values: dict[int, dict[str, int | str]] = {i: {} for i in ids}
    if not ids:
        return values
    rows = (
        await session.exec(select(ReportValue).where(col(ReportValue.revision_id).in_(ids)))
    ).all()
    for row in rows:
        value = row.value_int if row.value_int is not None else row.value_text
        if value is not None:
            values[row.revision_id][row.field] = value
    return values


async def recent_reports(
    session: AsyncSession,
    unit_ids: Sequence[int],
    since_period: str,
    until_period: str | None = None,
) -> list[ReportView]:
    """Latest revisions of the units' reports from `since_period` on (to `until_period`),
    times in the local time of their kampung.

    Plain column rows, not ORM entities, and the values in one joined query: a district
    recap reads tens of thousands of reports.
    """
    if not unit_ids:
        return []
    latest = and_(
        col(ReportRevision.report_id) == col(Report.id),
        col(ReportRevision.revision) == col(Report.latest_revision),
    )
    filters = [col(Report.unit_id).in_(unit_ids), col(Report.period) >= since_period]
    if until_period is not None:
        filters.append(col(Report.period) <= until_period)
    first = aliased(ReportRevision)
    first_at = (
        core_select(func.min(first.reported_at))
        .where(col(first.report_id) == col(Report.id))
        .correlate(Report)
        .scalar_subquery()
    )
    query = (
        core_select(
            col(Report.id),
            col(Report.unit_id),
            col(Report.form),
            col(Report.period),
            col(Report.meeting_date),
            col(ReportRevision.id),
            col(ReportRevision.revision),
            col(ReportRevision.reported_at),
            col(Kampung.timezone),
            first_at,
        )
        .join(ReportRevision, latest)
        .join(Unit, col(Unit.id) == col(Report.unit_id))
        .join(Kampung, col(Kampung.id) == col(Unit.kampung_id))
        .where(*filters)
    )
    connection = await session.connection()  # Core rows: no ORM entities to build
    rows = (await connection.execute(query)).all()
    value_query = (
        core_select(
            col(ReportValue.revision_id),
            col(ReportValue.field),
            col(ReportValue.value_int),
            col(ReportValue.value_text),
        )
        .join(ReportRevision, col(ReportRevision.id) == col(ReportValue.revision_id))
        .join(Report, latest)
        .where(*filters)
    )
    values: dict[int, dict[str, int | str]] = {}
    for owner, key, number, text_value in (await connection.execute(value_query)).all():
        value = number if number is not None else text_value
        if value is not None:
            values.setdefault(owner, {})[key] = value
    utc = UTCDateTime()
    dialect = session.get_bind().dialect
    zones: dict[str, ZoneInfo] = {}
    views = []
    for (
        report_id,
        unit_id,
        form,
        period,
        meeting,
        revision_id,
        revision,
        at,
        zone_name,
        first_raw,
    ) in rows:
        assert report_id is not None and revision_id is not None
        zone = zones.setdefault(zone_name, ZoneInfo(zone_name))
        # The aggregate comes back raw (no column type on SQLite): convert it like a column.
        first_seen = utc.process_result_value(
            datetime.fromisoformat(first_raw) if isinstance(first_raw, str) else first_raw, dialect
        )
        views.append(
            ReportView(
                id=report_id,
                unit_id=unit_id,
                form=form,
                period=period,
                meeting_date=meeting,
                revision=revision,
                reported_at=at.astimezone(zone),
                values=values.get(revision_id, {}),
                first_reported_at=first_seen.astimezone(zone) if first_seen else None,
            )
        )
    return views


async def save_report(
    session: AsyncSession,
    *,
    unit_id: int,
    form: str,
    slot: str,
    period: str,
    meeting_date: date | None,
    values: dict[str, int | str],
    correction_of: int | None,
    member_id: int,
    now: datetime,
) -> int:
    """Store a report, or a new revision of an existing one; returns the revision number.

    `slot` says what makes a report unique within its unit and form: the month for monthly
    forms, the meeting date for poktan meetings. A report for a slot that already has one
    becomes its next revision rather than a duplicate, whatever the caller believed.
    """
    report: Report | None = None
    if correction_of is not None:
        report = await session.get(Report, correction_of)
    if report is None:
        query = select(Report).where(
            Report.unit_id == unit_id, Report.form == form, Report.slot == slot
        )
        report = (await session.exec(query)).first()
    if report is None:
        report = Report(
            unit_id=unit_id,
            form=form,
            slot=slot,
            period=period,
            meeting_date=meeting_date,
            latest_revision=1,
        )
    else:
        report.latest_revision += 1
        report.slot, report.period, report.meeting_date = slot, period, meeting_date
    session.add(report)
    await session.flush()
    assert report.id is not None
    revision = ReportRevision(
        report_id=report.id,
        revision=report.latest_revision,
        period=period,
        meeting_date=meeting_date,
        reported_by=member_id,
        reported_at=now,
    )
    session.add(revision)
    await session.flush()
    assert revision.id is not None
    for key, value in values.items():
        session.add(
            ReportValue(
                revision_id=revision.id,
                field=key,
                value_int=value if isinstance(value, int) else None,
                value_text=value if isinstance(value, str) else None,
            )
        )
    await session.flush()
    return report.latest_revision


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


async def save_state(
    session: AsyncSession, channel: str, user_key: str, state: str, now: datetime
) -> None:
    """Insert or update in one statement (no read first: a turn already read it)."""
    table = Conversation.__table__  # type: ignore[attr-defined]
    statement = _insert(session, table).values(
        channel=channel, user_key=user_key, state=state, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "user_key"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )
    await session.exec(statement)


def _insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _insert_ignoring_duplicates(session: AsyncSession, table: Any, **values: Any) -> Any:
    return _insert(session, table).values(**values).on_conflict_do_nothing()


async def claim_update(
    session: AsyncSession,
    channel: str,
    update_id: str,
    now: datetime,
    user_key: str | None = None,
) -> bool:
    """Record the update as processed (by whom: erasing them erases it), and take it out
    of the inbox (long polling stored it there); False when it already was processed."""
    statement = _insert_ignoring_duplicates(
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


# --- inbox (long polling) ----------------------------------------------------------------


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
    statement = _insert(session, Inbox).values(rows).on_conflict_do_nothing()
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


# --- export -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportRow:
    kampung: str
    unit: str
    form: str
    period: str
    meeting_date: date | None
    field: str
    value: int | str
    reported_by: str
    reported_at: datetime  # local time of the kampung
    revision: int


async def export_rows(
    session: AsyncSession,
    *,
    period: str,
    kampung_slug: str | None = None,
    all_revisions: bool = False,
) -> list[ExportRow]:
    """One row per stored value of the month's reports (latest revisions unless asked)."""
    query = (
        select(Report, ReportRevision, Unit, Kampung)
        .join(ReportRevision, col(ReportRevision.report_id) == Report.id)
        .join(Unit, col(Unit.id) == Report.unit_id)
        .join(Kampung, col(Kampung.id) == Unit.kampung_id)
        .where(ReportRevision.period == period)
    )
    if not all_revisions:
        query = query.where(ReportRevision.revision == Report.latest_revision)
    if kampung_slug is not None:
        query = query.where(Kampung.slug == kampung_slug)
    query = query.order_by(
        col(Kampung.slug),
        col(Unit.slug),
        col(Report.form),
        col(ReportRevision.meeting_date),
        col(Report.id),
        col(ReportRevision.revision),
    )
    rows = (await session.exec(query)).all()
    values = await _values_by_revision(session, (rev.id for _, rev, _, _ in rows if rev.id))
    member_ids = {rev.reported_by for _, rev, _, _ in rows if rev.reported_by is not None}
    names = {
        member.id: member.name
        for member in (
            await session.exec(select(Member).where(col(Member.id).in_(member_ids)))
        ).all()
    }
    result = []
    for report, revision, unit, kampung in rows:
        member_name = names.get(revision.reported_by) if revision.reported_by else None
        assert revision.id is not None
        local = revision.reported_at.astimezone(ZoneInfo(kampung.timezone))
        for key, value in values[revision.id].items():
            result.append(
                ExportRow(
                    kampung=kampung.slug,
                    unit=unit.slug,
                    form=report.form,
                    period=revision.period,
                    meeting_date=revision.meeting_date,
                    field=key,
                    value=value,
                    reported_by=member_name or "",
                    reported_at=local,
                    revision=revision.revision,
                )
            )
    return result


async def kampung_exists(session: AsyncSession, slug: str) -> bool:
    count = await session.exec(
        select(func.count()).select_from(Kampung).where(Kampung.slug == slug)
    )
    return bool(count.one())


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- recap data -------------------------------------------------------------------------


def _kampung_view(kampung: Kampung) -> KampungView:
    assert kampung.id is not None
    return KampungView(
        id=kampung.id,
        slug=kampung.slug,
        name=kampung.name,
        kecamatan=kampung.kecamatan,
        timezone=kampung.timezone,
        keluarga_balita=kampung.keluarga_balita,
        keluarga_remaja=kampung.keluarga_remaja,
        keluarga_lansia=kampung.keluarga_lansia,
        keluarga=kampung.keluarga,
        remaja=kampung.remaja,
        pus=kampung.pus,
        pokja_meets=kampung.pokja_meets,
    )


async def kampung_views(
    session: AsyncSession,
    *,
    slug: str | None = None,
    kecamatan: str | None = None,
    kampung_id: int | None = None,
) -> list[KampungView]:
    """Kampung by slug, id or kecamatan, or all of them, ordered by name."""
    query = select(Kampung)
    if kampung_id is not None:
        query = query.where(Kampung.id == kampung_id)
    if slug is not None:
        query = query.where(Kampung.slug == slug)
    if kecamatan is not None:
        query = query.where(Kampung.kecamatan == kecamatan)
    rows = (await session.exec(query.order_by(col(Kampung.name)))).all()
    return [_kampung_view(k) for k in rows]


async def active_units(session: AsyncSession, kampung_ids: Sequence[int]) -> list[UnitView]:
    query = (
        select(Unit, Kampung)
        .join(Kampung)
        .where(col(Unit.kampung_id).in_(kampung_ids), col(Unit.active).is_(True))
        .order_by(col(Kampung.name), col(Unit.id))
    )
    return [_unit_view(unit, kampung) for unit, kampung in (await session.exec(query)).all()]


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    channel: str
    user_key: str
    name: str
    role: str
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
        member.role,
        member.kampung_id,
        member.kecamatan,
        member.reminders_on,
        member.last_inbound_at,
    )


async def recipients(
    session: AsyncSession, *, role: str, kampung_ids: Sequence[int] | None = None
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


async def reported_units(session: AsyncSession, periods: Sequence[str]) -> dict[str, set[int]]:
    """Per period, the units that have a report for it."""
    query = select(Report.period, Report.unit_id).where(col(Report.period).in_(periods)).distinct()
    found: dict[str, set[int]] = {period: set() for period in periods}
    for period, unit_id in (await session.exec(query)).all():
        found[period].add(unit_id)
    return found


async def earliest_activity(session: AsyncSession) -> tuple[str | None, datetime | None]:
    """The earliest report period and when the first invite was made (None: none yet)."""
    period = (await session.exec(select(func.min(Report.period)))).one()
    invited = (await session.exec(select(func.min(Invite.created_at)))).one()
    return period, invited


# --- outbox -----------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    member_id: int,
    period: str,
    payload: str,
    now: datetime,
) -> bool:
    """Queue a message once per (kind, member, period); False when it already was."""
    statement = _insert_ignoring_duplicates(
        session,
        Outbox,
        kind=kind,
        member_id=member_id,
        period=period,
        payload=payload,
        status="pending",
        attempts=0,
        parts_sent=0,
        created_at=now,
        next_attempt_at=now,
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def due_outbox(
    session: AsyncSession, now: datetime, limit: int, skip_ids: Iterable[int] = ()
) -> list[Outbox]:
    query = (
        select(Outbox)
        .where(Outbox.status == "pending", col(Outbox.next_attempt_at) <= now)
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
    )
    skip = list(skip_ids)
    if skip:
        query = query.where(col(Outbox.id).not_in(skip))
    return list((await session.exec(query)).all())


FINISHED = ("sent", "failed", "dropped")


async def update_outbox(session: AsyncSession, outbox_id: int, **changes: Any) -> None:
    """Change a row; a finished one keeps no content (a missing list names kader)."""
    row = await session.get(Outbox, outbox_id)
    assert row is not None
    for key, value in changes.items():
        setattr(row, key, value)
    if row.status in FINISHED:
        row.payload = "{}"
    session.add(row)
    await session.flush()


async def outbox_rows(session: AsyncSession) -> list[Outbox]:
    return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


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
        .where(col(Outbox.member_id) == member.id, col(Outbox.status) == "waiting")
        .values(status="pending", next_attempt_at=now)
    )
    await session.flush()


# --- members' personal data ---------------------------------------------------------------


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
    await photos.erase_sender(session, member.channel, member.user_key, f"removed-{member_id}")
    await session.exec(delete(MemberUnit).where(col(MemberUnit.member_id) == member_id))
    await session.exec(delete(Outbox).where(col(Outbox.member_id) == member_id))
    member.name = ""
    member.user_key = f"removed-{member_id}"
    member.reminders_on = False
    member.last_inbound_at = None
    member.erased_at = now
    session.add(member)
    await session.flush()
