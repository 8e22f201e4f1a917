"""The months the bot holds: what /rekap, `kaderbot recap` and `kaderbot export` accept."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from handlers.periods import MonthRange, months_held

TODAY = date(2026, 11, 20)


def test_from_the_earliest_report_or_the_month_before_the_first_invite() -> None:
    assert months_held(None, None, TODAY) == MonthRange("2026-10", "2026-11")
    assert months_held(None, date(2026, 11, 2), TODAY) == MonthRange("2026-10", "2026-11")
    assert months_held(None, date(2026, 3, 2), TODAY) == MonthRange("2026-02", "2026-11")
    assert months_held("2025-12", date(2026, 3, 2), TODAY) == MonthRange("2025-12", "2026-11")
    assert months_held("2026-09", date(2026, 11, 2), TODAY) == MonthRange("2026-09", "2026-11")
    assert list(months_held("2025-12", None, TODAY).years) == [2025, 2026]


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=1, max_value=12))
def test_a_month_is_held_exactly_when_it_lies_between_first_and_last(year: int, month: int) -> None:
    held = months_held("2025-12", date(2026, 3, 2), TODAY)
    period = f"{year:04d}-{month:02d}"  # as /rekap reads it, year 0000 included
    inside = (2025, 12) <= (year, month) <= (2026, 11)
    assert (period in held) is inside
