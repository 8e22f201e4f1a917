"""The deadline lock: after `report_deadline_day` of the next month (in the Kampung KB's
zone) a kader can no longer create or change a month's reports, unless the ketua reopened
that unit and month for them (an unlock grant, until its expiry). Pure rules; the LOCKED
step is in steps.py, the ketua's Buka and Tolak in notices.py."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.forms import FORMS
from handlers.periods import deadline_day_of, is_locked

from .display import period_and_meeting
from .state import Context, Draft
from .tokens import Act, Token

_UNLOCK_ARG = re.compile(r"(\d+)_(\d{4}-(?:0[1-9]|1[0-2]))_(\d+)")


def granted(ctx: Context, unit_id: int, period: str) -> bool:
    """Whether the ketua reopened the unit's month for this member, and it is still open."""
    return any(
        g.unit_id == unit_id and g.period == period and g.expires_at > ctx.now for g in ctx.grants
    )


def month_locked(ctx: Context, unit_id: int, period: str) -> bool:
    """Whether this member may no longer report the unit's month. Only kader are held to
    the deadline: the ketua, who reopens months, reports kegiatan whenever needed."""
    member = ctx.member
    if member is None or member.role != "kader":
        return False
    return is_locked(period, ctx.today, ctx.deadline_day) and not granted(ctx, unit_id, period)


def locked_period(ctx: Context, draft: Draft) -> str | None:
    """The month the draft would create or change that is locked for this member (the
    draft's own, or the stored month of the report it corrects); None when it may be saved."""
    spec = FORMS[draft.form]
    periods = [draft.origin_period]
    if spec.fields[0].key in draft.answers:
        periods.insert(0, period_and_meeting(spec, draft.answers)[0])
    for period in periods:
        if period is not None and month_locked(ctx, draft.unit_id, period):
            return period
    return None


def deadline_passed(period: str, deadline_day: int) -> date:
    """The first day the month is locked."""
    return deadline_day_of(period, deadline_day) + timedelta(days=1)


def open_until(ctx: Context) -> tuple[date, datetime]:
    """A grant given today: the last day it is open, and the moment it closes (midnight
    after that day in the ketua's zone, the Kampung KB's)."""
    assert ctx.member is not None
    last_day = ctx.today + timedelta(days=ctx.unlock_days)
    closes = datetime.combine(
        last_day + timedelta(days=1), time.min, tzinfo=ZoneInfo(ctx.member.timezone)
    )
    return last_day, closes


def last_open_day(expires_at: datetime, timezone: str) -> date:
    """The last day a grant is open: the day before the midnight it closes at."""
    return (expires_at.astimezone(ZoneInfo(timezone)) - timedelta(microseconds=1)).date()


def unlock_token(act: Act, unit_id: int, period: str, member_id: int) -> Token:
    return Token(act, f"{unit_id}_{period}_{member_id}")


def unlock_subject(token: Token) -> tuple[int, str, int] | None:
    """(unit id, month, kader id) of a Buka or Tolak token; None if malformed."""
    if token.act not in (Act.UNLOCK, Act.DENY):
        return None
    found = _UNLOCK_ARG.fullmatch(token.arg)
    if found is None:
        return None
    return int(found[1]), found[2], int(found[3])
