"""The ketua's review of reports: what a review shows, and approving or returning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, update
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Kampung, Member, Outbox, Report, ReportRevision, ReportValue, Unit
from storage.organisation import unit_view
from storage.outbox import OutboxKind
from storage.prepared import Prepared
from storage.reports import review_status
from storage.views import ReviewView


def _month_before(period: str) -> str:
    year, month = (int(part) for part in period.split("-"))
    return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


async def _values(
    session: AsyncSession, revision_ids: Sequence[int]
) -> dict[int, dict[str, int | str]]:
    values: dict[int, dict[str, int | str]] = {i: {} for i in revision_ids}
    if not revision_ids:
        return values
    query = select(ReportValue).where(col(ReportValue.revision_id).in_(revision_ids))
    for row in (await session.exec(query)).all():
        value = row.value_int if row.value_int is not None else row.value_text
        if value is not None:
            values[row.revision_id][row.field] = value
    return values


async def _latest_of_month(
    session: AsyncSession, unit_id: int, form: str, period: str
) -> int | None:
    """The latest revision id of the unit's last report of `period` (its last meeting)."""
    query = (
        select(ReportRevision.id)
        .join(Report, col(Report.id) == col(ReportRevision.report_id))
        .where(
            Report.unit_id == unit_id,
            Report.form == form,
            Report.period == period,
            col(ReportRevision.revision) == col(Report.latest_revision),
        )
        .order_by(col(Report.meeting_date).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


_member = Member.__table__  # type: ignore[attr-defined]
_outbox = Outbox.__table__  # type: ignore[attr-defined]
# Each saved report asks it: one statement built once, run straight on the SQLite writing
# connection (storage/prepared.py).
_KETUA_TOLD = Prepared(
    core_select(_member.c.id, _outbox.c.id)
    .select_from(
        _member.outerjoin(
            _outbox,
            and_(
                _outbox.c.member_id == _member.c.id,
                _outbox.c.kind == OutboxKind.NOTICE.value,
                _outbox.c.period == bindparam("period"),
            ),
        )
    )
    .where(
        _member.c.role == "ketua",
        _member.c.kampung_id == bindparam("kampung_id"),
        _member.c.erased_at.is_(None),
    )
    .order_by(_member.c.id)
)


async def ketua_told(session: AsyncSession, kampung_id: int, period: str) -> list[tuple[int, bool]]:
    """The Kampung KB's ketua (erased members are nobody's), each with whether a notice of
    `period` was queued to them already."""
    connection = await session.connection()
    params = {"kampung_id": kampung_id, "period": period}
    return [
        (ketua, told is not None)
        for ketua, told in await _KETUA_TOLD.rows_async(connection, params)
    ]


async def review_views(session: AsyncSession, report_ids: Sequence[int]) -> list[ReviewView]:
    """The reports (latest revisions) as the ketua reviews them, in the order given;
    unknown ids are left out."""
    if not report_ids:
        return []
    query = (
        select(Report, ReportRevision, Unit, Kampung)
        .join(
            ReportRevision,
            (col(ReportRevision.report_id) == col(Report.id))
            & (col(ReportRevision.revision) == col(Report.latest_revision)),
        )
        .join(Unit, col(Unit.id) == col(Report.unit_id))
        .join(Kampung, col(Kampung.id) == col(Unit.kampung_id))
        .where(col(Report.id).in_(report_ids))
    )
    rows = {
        report.id: (report, rev, unit, kampung)
        for report, rev, unit, kampung in (await session.exec(query)).all()
    }
    views = []
    for report_id in report_ids:
        if report_id not in rows:
            continue
        report, rev, unit, kampung = rows[report_id]
        assert rev.id is not None
        before = (
            await session.exec(
                select(ReportRevision).where(
                    ReportRevision.report_id == report_id,
                    ReportRevision.revision == rev.revision - 1,
                )
            )
        ).first()
        last_month_id = await _latest_of_month(
            session, report.unit_id, report.form, _month_before(report.period)
        )
        wanted = [i for i in (rev.id, before.id if before else None, last_month_id) if i]
        values = await _values(session, wanted)
        decider_id = rev.approved_by if rev.approved_at is not None else rev.returned_by
        names = await _names(session, [i for i in (rev.reported_by, decider_id) if i])
        zone = ZoneInfo(kampung.timezone)
        decided_at = rev.approved_at or rev.returned_at
        views.append(
            ReviewView(
                id=report_id,
                unit=unit_view(unit, kampung),
                form=report.form,
                period=report.period,
                meeting_date=report.meeting_date,
                revision=rev.revision,
                values=values[rev.id],
                reported_at=rev.reported_at.astimezone(zone),
                reported_by=rev.reported_by if rev.reported_by in names else None,
                reporter=names.get(rev.reported_by or 0, ""),
                previous=values[before.id] if before and before.id else None,
                previous_period=before.period if before else None,
                previous_meeting_date=before.meeting_date if before else None,
                last_month=values.get(last_month_id) if last_month_id else None,
                review=review_status(rev.approved_at, rev.returned_at),
                decided_by=names.get(decider_id or 0, ""),
                decided_at=decided_at.astimezone(zone) if decided_at else None,
                reason=rev.return_reason or "",
            )
        )
    return views


async def _names(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, str]:
    """Names of members not erased, by id."""
    if not member_ids:
        return {}
    query = select(Member).where(col(Member.id).in_(member_ids), col(Member.erased_at).is_(None))
    return {m.id: m.name for m in (await session.exec(query)).all() if m.id is not None}


async def waiting_reviews(
    session: AsyncSession, kampung_id: int, since: datetime, until: datetime
) -> list[ReviewView]:
    """The kampung's reports whose latest revision came in [since, until) and waits."""
    query = (
        select(Report.id)
        .join(
            ReportRevision,
            (col(ReportRevision.report_id) == col(Report.id))
            & (col(ReportRevision.revision) == col(Report.latest_revision)),
        )
        .join(Unit, col(Unit.id) == col(Report.unit_id))
        .where(
            Unit.kampung_id == kampung_id,
            col(ReportRevision.reported_at) >= since,
            col(ReportRevision.reported_at) < until,
            col(ReportRevision.approved_at).is_(None),
            col(ReportRevision.returned_at).is_(None),
        )
        .order_by(col(ReportRevision.reported_at), col(Report.id))
    )
    ids = [i for i in (await session.exec(query)).all() if i is not None]
    return await review_views(session, ids)


async def decide(
    session: AsyncSession,
    *,
    report_id: int,
    revision: int,
    member_id: int,
    approved: bool,
    reason: str | None,
    now: datetime,
) -> bool:
    """Approve or return one revision, only while it is the report's latest; the other
    decision is cleared (the ketua changed their mind). False: it is no longer the latest."""
    latest = select(Report.latest_revision).where(Report.id == report_id).scalar_subquery()
    changes = (
        {"approved_by": member_id, "approved_at": now, "returned_by": None, "returned_at": None,
         "return_reason": None}
        if approved
        else {"approved_by": None, "approved_at": None, "returned_by": member_id,
              "returned_at": now, "return_reason": reason}
    )  # fmt: skip
    statement = (
        update(ReportRevision)
        .where(
            col(ReportRevision.report_id) == report_id,
            col(ReportRevision.revision) == revision,
            col(ReportRevision.revision) == latest,
        )
        .values(**changes)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)
