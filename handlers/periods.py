"""Report periods: calendar months written "YYYY-MM"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def deadline_day_of(period: str, deadline_day: int) -> date:
    """The last day reports of `period` are taken: `deadline_day` of the month after."""
    year, month = (int(part) for part in shift_period(period, 1).split("-"))
    return date(year, month, deadline_day)


def report_deadline(period: str, deadline_day: int, timezone: str) -> datetime:
    """The moment the month locks: midnight after its deadline day, in the kampung's zone."""
    day = deadline_day_of(period, deadline_day) + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def is_locked(period: str, today: date, deadline_day: int) -> bool:
    """Whether kader can no longer report `period` on `today` (a day in the kampung's zone)."""
    return today > deadline_day_of(period, deadline_day)


@dataclass(frozen=True, slots=True)
class MonthRange:
    """The months from `first` to `last`, both included."""

    first: str
    last: str

    def __contains__(self, period: object) -> bool:
        # "YYYY-MM" strings of four-digit years sort as the months they name.
        return isinstance(period, str) and self.first <= period <= self.last

    @property
    def years(self) -> range:
        return range(int(self.first[:4]), int(self.last[:4]) + 1)


def months_held(earliest_report: str | None, first_invite: date | None, today: date) -> MonthRange:
    """The months the bot holds, which a recap or an export may ask for.

    From the earliest report period, or from the month before the first invite if that is
    earlier (a kader invited on the 2nd may still report the month before), or last month
    when nothing is in the database yet; up to this month.
    """
    this_month = period_of(today)
    opening = shift_period(period_of(first_invite or today), -1)
    first = min(earliest_report, opening) if earliest_report else opening
    return MonthRange(min(first, this_month), this_month)
