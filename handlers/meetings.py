"""Monthly meeting rules such as "day 10" or "second tuesday", read from config."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_DAY_RULE = re.compile(r"day\s+(\d{1,2})")
_WEEKDAY_RULE = re.compile(rf"({'|'.join(_ORDINALS)})\s+({'|'.join(_WEEKDAYS)})")


class MeetingRuleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """Either a fixed day of the month (`day`) or an ordinal weekday (`ordinal`, `weekday`).

    `ordinal` is 1-4, or -1 for the last such weekday; `weekday` is 0 for Monday.
    """

    day: int | None = None
    ordinal: int | None = None
    weekday: int | None = None

    def date_in(self, year: int, month: int) -> date:
        """The meeting day in that month (day 31 in a 30-day month is its last day)."""
        last_day = calendar.monthrange(year, month)[1]
        if self.day is not None:
            return date(year, month, min(self.day, last_day))
        assert self.ordinal is not None and self.weekday is not None
        if self.ordinal == -1:
            last = date(year, month, last_day)
            return date(year, month, last_day - (last.weekday() - self.weekday) % 7)
        first = date(year, month, 1)
        offset = (self.weekday - first.weekday()) % 7
        return date(year, month, 1 + offset + 7 * (self.ordinal - 1))

    def next_on_or_after(self, today: date) -> date:
        this_month = self.date_in(today.year, today.month)
        if this_month >= today:
            return this_month
        year, month = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
        return self.date_in(year, month)


def parse_meeting_rule(text: str) -> MeetingRule:
    """Read "day 10", "second tuesday" or "last friday"; raise MeetingRuleError otherwise."""
    clean = " ".join(text.lower().split())
    if m := _DAY_RULE.fullmatch(clean):
        day = int(m[1])
        if not 1 <= day <= 31:
            raise MeetingRuleError(f"day must be 1-31, got {day}")
        return MeetingRule(day=day)
    if m := _WEEKDAY_RULE.fullmatch(clean):
        return MeetingRule(ordinal=_ORDINALS[m[1]], weekday=_WEEKDAYS.index(m[2]))
    raise MeetingRuleError(
        f"cannot read meeting rule {text!r}: use 'day N' (1-31) or "
        "'first|second|third|fourth|last <weekday>', e.g. 'second tuesday'"
    )
