"""Recaps from the database: load a month's data, build the indicators, render the reply.

Used by `/rekap`, by `kaderbot recap` and by the outbox when a scheduled recap is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import texts
from handlers.messages import Attachment, Reply
from handlers.periods import MonthRange, deadline_day_of, is_locked, months_held, shift_period
from handlers.recap.chart import recap_chart
from handlers.recap.indicators import TREND_MONTHS, MonthLock, Recap, build_recap
from handlers.recap.sheets import district_xlsx, recap_xlsx
from handlers.recap.text import district_text, recap_text
from storage import PROFILE_KEYS, KampungView, ReportView, UnitView


async def _load(
    session: AsyncSession, units: list[UnitView], period: str
) -> tuple[list[ReportView], dict[int, list[str]]]:
    """The units' reports over the trend months, and their kader's names."""
    unit_ids = [u.id for u in units]
    since = shift_period(period, -(TREND_MONTHS - 1))
    reports = await storage.recent_reports(session, unit_ids, since, period)
    kader = await storage.kader_by_unit(session, unit_ids)
    return reports, {unit_id: [k.name for k in members] for unit_id, members in kader.items()}


async def held(session: AsyncSession, today: date) -> MonthRange:
    """The months a recap or export may ask for (see periods.months_held)."""
    earliest_report, first_invite = await storage.earliest_activity(session)
    return months_held(earliest_report, first_invite.date() if first_invite else None, today)


def out_of_range_reply(months: MonthRange) -> Reply:
    return Reply(
        texts.RECAP_OUT_OF_RANGE.format(
            first=texts.month_name(months.first),
            last=texts.month_name(months.last),
            example=months.last,
        )
    )


async def kampung_recap(
    session: AsyncSession,
    kampung: KampungView,
    period: str,
    deadline_day: int,
    only_units: Collection[int] | None = None,
) -> Recap:
    units = await storage.active_units(session, [kampung.id])
    if only_units is not None:
        units = [u for u in units if u.id in only_units]
    reports, names = await _load(session, units, period)
    return build_recap(kampung, period, units, reports, names, deadline_day)


async def _month_lock(
    session: AsyncSession,
    kampung: KampungView,
    units: list[UnitView],
    period: str,
    deadline_day: int,
    now: datetime,
) -> MonthLock | None:
    """Whether the month is locked in the Kampung KB now, and for whom it is reopened."""
    zone = ZoneInfo(kampung.timezone)
    if not is_locked(period, now.astimezone(zone).date(), deadline_day):
        return None
    grants = await storage.open_grants_of_units(session, [u.id for u in units], period, now)
    # A grant closes at midnight after its last day: that day is the one to name.
    reopened = tuple(
        (g.unit_name, g.member_name, (g.expires_at.astimezone(zone) - timedelta(seconds=1)).date())
        for g in grants
    )
    return MonthLock(deadline_day_of(period, deadline_day) + timedelta(days=1), reopened)


async def district_recaps(
    session: AsyncSession,
    kecamatan: str,
    period: str,
    deadline_day: int,
    now: datetime | None = None,
) -> tuple[list[Recap], Recap]:
    """One recap per Kampung KB of the kecamatan, and one over all of them; given `now`,
    each Kampung KB's recap says whether the month is locked and for whom it is reopened."""
    kampungs = await storage.kampung_views(session, kecamatan=kecamatan)
    units = await storage.active_units(session, [k.id for k in kampungs])
    reports, names = await _load(session, units, period)
    kampung_of_unit = {u.id: u.kampung_id for u in units}
    units_of: dict[int, list[UnitView]] = {}
    for unit in units:
        units_of.setdefault(unit.kampung_id, []).append(unit)
    reports_of: dict[int, list[ReportView]] = {}
    for report in reports:
        reports_of.setdefault(kampung_of_unit[report.unit_id], []).append(report)
    recaps = [
        build_recap(
            kampung,
            period,
            units_of.get(kampung.id, []),
            reports_of.get(kampung.id, []),
            names,
            deadline_day,
        )
        for kampung in kampungs
    ]
    if now is not None:
        recaps = [
            replace(
                built,
                lock=await _month_lock(
                    session,
                    built.kampung,
                    units_of.get(built.kampung.id, []),
                    period,
                    deadline_day,
                    now,
                ),
            )
            for built in recaps
        ]
    district = KampungView(
        id=0,
        slug=kecamatan.lower().replace(" ", "-"),
        name=texts.DISTRICT_TOTAL.format(kecamatan=kecamatan),
        kecamatan=kecamatan,
        timezone=kampungs[0].timezone if kampungs else "Asia/Jakarta",
        profile={key: sum(k.profile.get(key, 0) for k in kampungs) for key in PROFILE_KEYS},
    )
    total = build_recap(district, period, units, reports, names, deadline_day)
    return recaps, total


def _chart(built: Recap) -> Attachment:
    title = texts.CHART_TITLE.format(name=built.kampung.name)
    return Attachment(
        texts.CHART_FILE.format(slug=built.kampung.slug, period=built.period),
        recap_chart(built.trend, title),
        "image",
    )


async def kampung_reply(built: Recap, final: bool = False) -> Reply:
    """Text, chart and spreadsheet; the CPU-bound rendering runs in a thread. `final`: the
    recap the schedule sends after the deadline (its text says so)."""
    chart = await asyncio.to_thread(_chart, built)
    sheet = await asyncio.to_thread(recap_xlsx, built)
    name = texts.XLSX_FILE.format(slug=built.kampung.slug, period=built.period)
    return Reply(recap_text(built, final), files=(chart, Attachment(name, sheet, "document")))


async def district_reply(
    kecamatan: str, recaps: list[Recap], total: Recap, final: bool = False
) -> Reply:
    text = district_text(kecamatan, total.period, [*recaps, total], final)
    chart = await asyncio.to_thread(_chart, total)
    sheet = await asyncio.to_thread(district_xlsx, [*recaps, total])
    name = texts.XLSX_FILE.format(slug=total.kampung.slug, period=total.period)
    return Reply(text, files=(chart, Attachment(name, sheet, "document")))
