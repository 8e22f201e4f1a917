"""Reports and their revisions: saving, the recent ones a turn or recap reads, export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, update
from sqlalchemy import select as core_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Invite,
    Kampung,
    Member,
    Report,
    ReportRevision,
    ReportValue,
    Unit,
    UTCDateTime,
)
from storage.views import ReportView

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


# Built once (the compiled cache serves them): a turn that reads reports runs both, and
# building them (the correlated subquery, the aliased revision) cost more than running them.
_LATEST = and_(
    col(ReportRevision.report_id) == col(Report.id),
    col(ReportRevision.revision) == col(Report.latest_revision),
)
_IN_RANGE = (
    col(Report.unit_id).in_(bindparam("unit_ids", expanding=True)),
    col(Report.period) >= bindparam("since"),
    col(Report.period) <= bindparam("until"),
)
_FIRST = aliased(ReportRevision)
_REPORT_ROWS = (
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
        core_select(func.min(_FIRST.reported_at))
        .where(col(_FIRST.report_id) == col(Report.id))
        .correlate(Report)
        .scalar_subquery(),
        col(ReportRevision.approved_at),
        col(ReportRevision.returned_at),
    )
    .join(ReportRevision, _LATEST)
    .join(Unit, col(Unit.id) == col(Report.unit_id))
    .join(Kampung, col(Kampung.id) == col(Unit.kampung_id))
    .where(*_IN_RANGE)
)
_REPORT_VALUES = (
    core_select(
        col(ReportValue.revision_id),
        col(ReportValue.field),
        col(ReportValue.value_int),
        col(ReportValue.value_text),
    )
    .join(ReportRevision, col(ReportRevision.id) == col(ReportValue.revision_id))
    .join(Report, _LATEST)
    .where(*_IN_RANGE)
)
_NO_END = "9999-12"  # after every period ("YYYY-MM" compares as text)


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
    params = {"unit_ids": list(unit_ids), "since": since_period, "until": until_period or _NO_END}
    connection = await session.connection()  # Core rows: no ORM entities to build
    rows = (await connection.execute(_REPORT_ROWS, params)).all()
    values: dict[int, dict[str, int | str]] = {}
    for owner, key, number, text_value in (await connection.execute(_REPORT_VALUES, params)).all():
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
        approved_at,
        returned_at,
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
                review=review_status(approved_at, returned_at),
            )
        )
    return views


def review_status(approved_at: datetime | None, returned_at: datetime | None) -> str:
    """A revision's review: approved, returned (with a reason), or waiting."""
    if approved_at is not None:
        return "approved"
    return "returned" if returned_at is not None else "waiting"


@dataclass(frozen=True, slots=True)
class SavedReport:
    report_id: int
    revision: int  # the number the database gave it
    kept_approval: bool = False  # an unchanged correction of an approved report


_report = Report.__table__  # type: ignore[attr-defined]
_revision_table = ReportRevision.__table__  # type: ignore[attr-defined]
_value = ReportValue.__table__  # type: ignore[attr-defined]
# Saving a report, in Core statements built once (the compiled cache serves them): the
# ORM's unit of work cost more than the statements themselves.
_REPORT_COLUMNS = (_report.c.id, _report.c.latest_revision)
_REPORT_BY_ID = core_select(*_REPORT_COLUMNS).where(_report.c.id == bindparam("report_id"))
_REPORT_BY_SLOT = core_select(*_REPORT_COLUMNS).where(
    _report.c.unit_id == bindparam("unit_id"),
    _report.c.form == bindparam("form"),
    _report.c.slot == bindparam("slot"),
)
_NEW_REPORT = _report.insert()
_NEXT_REVISION = (
    update(_report)
    .where(_report.c.id == bindparam("report_id"))
    .values(
        latest_revision=bindparam("revision"),
        slot=bindparam("slot"),
        period=bindparam("period"),
        meeting_date=bindparam("meeting_date", type_=_report.c.meeting_date.type),
    )
)
_REVISION_BEFORE = core_select(
    _revision_table.c.id,
    _revision_table.c.period,
    _revision_table.c.meeting_date,
    _revision_table.c.approved_by,
    _revision_table.c.approved_at,
).where(
    _revision_table.c.report_id == bindparam("report_id"),
    _revision_table.c.revision == bindparam("revision"),
)
_NEW_REVISION = _revision_table.insert()
_VALUES_OF = core_select(_value.c.field, _value.c.value_int, _value.c.value_text).where(
    _value.c.revision_id == bindparam("revision_id")
)
_NEW_VALUES = _value.insert()


def _new_id(inserted: Any) -> int:
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


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
) -> SavedReport:
    """Store a report, or a new revision of an existing one; returns its id and the
    revision number. A correction that changes nothing keeps the approval of the revision
    before; any change makes it wait for review again.

    `slot` says what makes a report unique within its unit and form: the month for monthly
    forms, the meeting date for poktan meetings. A report for a slot that already has one
    becomes its next revision rather than a duplicate, whatever the caller believed.
    """
    connection = await session.connection()
    found = None
    if correction_of is not None:
        found = (await connection.execute(_REPORT_BY_ID, {"report_id": correction_of})).first()
    if found is None:
        by_slot = {"unit_id": unit_id, "form": form, "slot": slot}
        found = (await connection.execute(_REPORT_BY_SLOT, by_slot)).first()
    if found is None:
        revision = 1
        inserted = await connection.execute(
            _NEW_REPORT,
            {
                "unit_id": unit_id,
                "form": form,
                "slot": slot,
                "period": period,
                "meeting_date": meeting_date,
                "latest_revision": revision,
            },
        )
        report_id = _new_id(inserted)
    else:
        report_id, revision = found[0], found[1] + 1
        await connection.execute(
            _NEXT_REVISION,
            {
                "report_id": report_id,
                "revision": revision,
                "slot": slot,
                "period": period,
                "meeting_date": meeting_date,
            },
        )
    approved_by, approved_at = None, None
    if revision > 1:
        before = (
            await connection.execute(
                _REVISION_BEFORE, {"report_id": report_id, "revision": revision - 1}
            )
        ).first()
        if before is not None and before.approved_at is not None:
            old: dict[str, int | str] = {}
            for key, number, text in await connection.execute(
                _VALUES_OF, {"revision_id": before.id}
            ):
                value = number if number is not None else text
                if value is not None:
                    old[key] = value
            if (old, before.period, before.meeting_date) == (values, period, meeting_date):
                approved_by, approved_at = before.approved_by, before.approved_at
    inserted = await connection.execute(
        _NEW_REVISION,
        {
            "report_id": report_id,
            "revision": revision,
            "period": period,
            "meeting_date": meeting_date,
            "reported_by": member_id,
            "reported_at": now,
            "approved_by": approved_by,
            "approved_at": approved_at,
        },
    )
    revision_id = _new_id(inserted)
    if values:
        await connection.execute(
            _NEW_VALUES,
            [
                {
                    "revision_id": revision_id,
                    "field": key,
                    "value_int": value if isinstance(value, int) else None,
                    "value_text": value if isinstance(value, str) else None,
                }
                for key, value in values.items()
            ],
        )
    # Written past the ORM: objects it holds for these rows are read afresh when used.
    session.expire_all()
    return SavedReport(report_id, revision, approved_at is not None)


async def reported_units(
    session: AsyncSession, periods: Sequence[str], unit_ids: Sequence[int] | None = None
) -> dict[str, set[int]]:
    """Per period, the units (of `unit_ids`, when given) that have a report for it."""
    query = select(Report.period, Report.unit_id).where(col(Report.period).in_(periods)).distinct()
    if unit_ids is not None:
        query = query.where(col(Report.unit_id).in_(unit_ids))
    found: dict[str, set[int]] = {period: set() for period in periods}
    for period, unit_id in (await session.exec(query)).all():
        found[period].add(unit_id)
    return found


async def earliest_activity(session: AsyncSession) -> tuple[str | None, datetime | None]:
    """The earliest report period and when the first invite was made (None: none yet)."""
    period = (await session.exec(select(func.min(Report.period)))).one()
    invited = (await session.exec(select(func.min(Invite.created_at)))).one()
    return period, invited


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
