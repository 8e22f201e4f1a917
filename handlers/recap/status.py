"""The status before the final recap: which units of a Kampung KB reported for a month
and which are still due (with their kader), or how many per Kampung KB of a kecamatan.

Only units that owe reports count (their form's `expected`; kegiatan is reported at will).
Read when the message is sent, so it is as fresh as the recap would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import texts
from handlers.forms import expects_reports
from storage import KampungView


@dataclass(frozen=True, slots=True)
class UnitStatus:
    unit: str
    reported: bool
    kader: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KampungStatus:
    kampung: str
    units: tuple[UnitStatus, ...]

    @property
    def reported(self) -> int:
        return sum(1 for unit in self.units if unit.reported)

    @property
    def expected(self) -> int:
        return len(self.units)


async def _statuses(
    session: AsyncSession, kampungs: Sequence[KampungView], period: str, with_kader: bool
) -> list[KampungStatus]:
    units = [
        unit
        for unit in await storage.active_units(session, [k.id for k in kampungs])
        if expects_reports(unit.kind)
    ]
    unit_ids = [unit.id for unit in units]
    reported = (await storage.reported_units(session, [period], unit_ids))[period]
    kader = await storage.kader_by_unit(session, unit_ids) if with_kader else {}
    return [
        KampungStatus(
            kampung.name,
            tuple(
                UnitStatus(
                    unit.name,
                    unit.id in reported,
                    tuple(member.name for member in kader.get(unit.id, ())),
                )
                for unit in units
                if unit.kampung_id == kampung.id
            ),
        )
        for kampung in kampungs
    ]


async def kampung_status(session: AsyncSession, kampung_id: int, period: str) -> KampungStatus:
    kampungs = await storage.kampung_views(session, kampung_id=kampung_id)
    [status] = await _statuses(session, kampungs, period, with_kader=True)
    return status


async def district_status(
    session: AsyncSession, kecamatan: str, period: str
) -> list[KampungStatus]:
    kampungs = await storage.kampung_views(session, kecamatan=kecamatan)
    return await _statuses(session, kampungs, period, with_kader=False)


def _dates(deadline: date, final_recap: date) -> str:
    return texts.STATUS_DATES.format(
        deadline=texts.long_date(deadline), final=texts.long_date(final_recap)
    )


def status_text(status: KampungStatus, period: str, deadline: date, final_recap: date) -> str:
    t = texts
    lines = [t.STATUS_TITLE.format(month=t.month_name(period), kampung=status.kampung), ""]
    done = [unit for unit in status.units if unit.reported]
    due = [unit for unit in status.units if not unit.reported]
    if done:
        lines.append(t.STATUS_REPORTED.format(reported=len(done), expected=status.expected))
        lines += [t.STATUS_UNIT.format(unit=unit.unit) for unit in done]
    else:
        lines.append(t.STATUS_NONE_REPORTED.format(expected=status.expected))
    if due:
        lines.append(t.STATUS_DUE)
        for unit in due:
            kader = ", ".join(unit.kader) or t.RECAP_NO_KADER
            lines.append(t.RECAP_MISSING_UNIT.format(unit=unit.unit, kader=kader))
    else:
        lines.append(t.STATUS_ALL_IN)
    lines += ["", _dates(deadline, final_recap)]
    return "\n".join(lines)


def district_status_text(
    kecamatan: str,
    period: str,
    statuses: Sequence[KampungStatus],
    deadline: date,
    final_recap: date,
) -> str:
    t = texts
    lines = [t.DISTRICT_STATUS_TITLE.format(month=t.month_name(period), kecamatan=kecamatan), ""]
    lines += [
        t.DISTRICT_STATUS_ROW.format(
            kampung=status.kampung, reported=status.reported, expected=status.expected
        )
        for status in statuses
    ]
    lines += ["", _dates(deadline, final_recap)]
    return "\n".join(lines)
