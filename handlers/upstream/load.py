"""The months of some Kampung KB from the database, as the layouts read them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers.upstream.month import KampungMonth, kampung_month
from storage import KampungView, ReportView, UnitView


async def load_months(
    session: AsyncSession, kampungs: Sequence[KampungView], period: str, deadline_day: int
) -> list[KampungMonth]:
    """Each Kampung KB's month, in the given order: two queries for all of them."""
    units = await storage.active_units(session, [k.id for k in kampungs])
    reports = await storage.recent_reports(session, [u.id for u in units], period, period)
    kampung_of_unit = {u.id: u.kampung_id for u in units}
    units_of: dict[int, list[UnitView]] = {}
    for unit in units:
        units_of.setdefault(unit.kampung_id, []).append(unit)
    reports_of: dict[int, list[ReportView]] = {}
    for report in reports:
        reports_of.setdefault(kampung_of_unit[report.unit_id], []).append(report)
    return [
        kampung_month(
            kampung,
            period,
            units_of.get(kampung.id, []),
            reports_of.get(kampung.id, []),
            deadline_day,
        )
        for kampung in kampungs
    ]
