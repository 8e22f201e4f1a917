from __future__ import annotations

from datetime import date

import pytest

from handlers.meetings import MeetingRuleError, parse_meeting_rule


def test_fixed_day_is_clamped_to_short_months() -> None:
    rule = parse_meeting_rule("day 31")
    assert rule.date_in(2026, 2) == date(2026, 2, 28)
    assert rule.date_in(2028, 2) == date(2028, 2, 29)
    assert rule.date_in(2026, 11) == date(2026, 11, 30)
    assert parse_meeting_rule("Day 10").date_in(2026, 11) == date(2026, 11, 10)


def test_ordinal_weekdays() -> None:
    assert parse_meeting_rule("second tuesday").date_in(2026, 11) == date(2026, 11, 10)
    assert parse_meeting_rule("first monday").date_in(2026, 6) == date(2026, 6, 1)
    assert parse_meeting_rule("last friday").date_in(2026, 11) == date(2026, 11, 27)
    assert parse_meeting_rule("fourth sunday").date_in(2026, 2) == date(2026, 2, 22)


def test_next_meeting() -> None:
    rule = parse_meeting_rule("day 10")
    assert rule.next_on_or_after(date(2026, 11, 10)) == date(2026, 11, 10)
    assert rule.next_on_or_after(date(2026, 12, 11)) == date(2027, 1, 10)


@pytest.mark.parametrize("text", ["day 0", "day 32", "fifth monday", "tuesday", "tiap selasa", ""])
def test_unreadable_rules(text: str) -> None:
    with pytest.raises(MeetingRuleError):
        parse_meeting_rule(text)
