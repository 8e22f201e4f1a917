"""Reports and their revisions: saving, the recent ones a turn or recap reads, export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func
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
    before = await _revision(session, report.id, report.latest_revision - 1)
    if before is not None and before.approved_at is not None:
        assert before.id is not None
        old = (await _values_by_revision(session, [before.id]))[before.id]
        if (old, before.period, before.meeting_date) == (values, period, meeting_date):
            revision.approved_by, revision.approved_at = before.approved_by, before.approved_at
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
    return SavedReport(report.id, report.latest_revision, revision.approved_at is not None)


async def _revision(session: AsyncSession, report_id: int, number: int) -> ReportRevision | None:
    if number < 1:
        return None
    query = select(ReportRevision).where(
        ReportRevision.report_id == report_id, ReportRevision.revision == number
    )
    return (await session.exec(query)).first()


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
