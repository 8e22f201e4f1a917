"""Property: for every schedule the config accepts, a month brings the ketua the final recap
once, after the deadline, at most one status before it, and never two words about last
month on the same day. The pure planner, ticked every hour of a month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import ScheduleSettings
from bot.scheduler import rules_from
from handlers.reminders import CATCH_UP_DAYS, KampungPlanInput, plan_kampung
from storage import KampungView, Recipient, UnitView

KETUA = Recipient(1, "telegram", "1", "Bu Ketua", "ketua", 1, "X", reminders_on=True)
ABOUT_LAST_MONTH = {"final_recap", "recap_status", "missing_list"}


def _unit(unit_id: int, kind: str) -> UnitView:
    return UnitView(unit_id, f"u{unit_id}", kind, f"Unit {unit_id}", "", None, 1, "Kampung X")


@settings(max_examples=100, deadline=None)
@given(
    recap_day=st.integers(1, 28),
    deadline=st.integers(1, 28),
    final=st.one_of(st.none(), st.integers(1, 28)),
    timezone=st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
    reported=st.booleans(),
)
def test_one_final_recap_after_the_deadline_and_one_word_a_day(
    recap_day: int, deadline: int, final: int | None, timezone: str, reported: bool
) -> None:
    chosen = {"recap_day": recap_day, "report_deadline_day": deadline}
    if final is not None:
        chosen["final_recap_day"] = final
    try:
        rules = rules_from(ScheduleSettings.model_validate(chosen))
    except ValidationError:
        assume(False)  # refused at start (tests/bot/test_config_errors.py)
        raise
    kampung = KampungView(1, "x", "Kampung X", "X", timezone, {})
    data = KampungPlanInput(
        kampung=kampung,
        units=[_unit(1, "posyandu"), _unit(2, "bkb")],
        ketua=[KETUA],
        kader_by_unit={},
        reported_last_month=frozenset({1, 2} if reported else ()),
    )
    zone = ZoneInfo(timezone)
    first_seen: dict[tuple[str, str], date] = {}  # as the outbox's unique key keeps it
    now = datetime(2026, 12, 1, tzinfo=zone).astimezone(UTC)
    while now < datetime(2027, 1, 1, tzinfo=zone):
        for item in plan_kampung(now, rules, data):
            if item.member_id == KETUA.id and item.kind in ABOUT_LAST_MONTH:
                if item.period == "2026-10":  # November's, caught up: sent then if running
                    assert now.astimezone(zone).day <= 1 + CATCH_UP_DAYS
                    continue
                assert item.period == "2026-11"
                first_seen.setdefault((item.kind, item.period), now.astimezone(zone).date())
        now += timedelta(hours=1)

    days = {kind: day.day for (kind, _), day in first_seen.items()}
    assert days["final_recap"] == rules.final_day > deadline
    if "recap_status" in days:
        assert days["recap_status"] == recap_day < rules.final_day
    else:
        assert recap_day >= rules.final_day
    told = deadline + 1 in (days["final_recap"], days.get("recap_status"))
    assert ("missing_list" in days) == (not reported and not told)
    if "missing_list" in days:
        assert days["missing_list"] == deadline + 1
    assert len(set(days.values())) == len(days), f"two messages on one day: {days}"
