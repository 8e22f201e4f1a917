"""What is due when: the status and the final recap of last month, meeting reminders and
deadline follow-ups.

The recap of a month goes out once, as the final one, on `final_recap_day` (by default the
day after the deadline), so that it counts every report due. On `recap_day`, when that is
earlier, the ketua (and the PLKB) get a short status instead: who reported, who is still due.
The day after the deadline the ketua also hears which units are missing, unless the final
recap or the status of that same day already says it (one message, not two).

`plan` is pure: given the time and what the database holds, it lists the messages that
should exist by now. The scheduler queues them in the outbox, whose unique key (kind,
member, period) makes planning the same message twice harmless; so a tick can run as often
as it likes, and a tick after a restart catches up what was missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import texts
from handlers.forms import expects_reports
from handlers.meetings import MeetingRuleError, parse_meeting_rule
from handlers.periods import period_of, shift_period
from storage import (
    DistrictStatusPayload,
    FinalDistrictRecapPayload,
    FinalRecapPayload,
    KampungView,
    MeetingReminderPayload,
    OutboxKind,
    OutboxPayload,
    Recipient,
    StatusPayload,
    TextPayload,
    UnitView,
)

# A recap or follow-up whose day passed while the bot was down is still sent this many days
# later; after that it is stale (a recap of last month on the 20th surprises more than helps).
CATCH_UP_DAYS = 7


def final_recap_day(recap_day: int, deadline_day: int, configured: int | None) -> int:
    """The day of the month the final recap goes out: as configured, else the day after
    the deadline, or `recap_day` when that is later (a config written before the final
    recap existed, `recap_day = 5`, keeps its recap on the 5th)."""
    if configured is not None:
        return configured
    return max(deadline_day + 1, recap_day)


@dataclass(frozen=True, slots=True)
class ScheduleRules:
    recap_day: int
    send_time: time
    reminder_days_before: tuple[int, ...]
    deadline_day: int
    final_recap_day: int | None = None  # None: see `final_recap_day()`

    @property
    def final_day(self) -> int:
        return final_recap_day(self.recap_day, self.deadline_day, self.final_recap_day)

    @property
    def status_day(self) -> int | None:
        """The day of the status, or None when `recap_day` is not before the final recap."""
        return self.recap_day if self.recap_day < self.final_day else None

    @property
    def ketua_told_after_deadline(self) -> bool:
        """Whether the final recap or the status goes out the day after the deadline, the
        missing list's day: both list the units still missing, with their kader."""
        return self.deadline_day + 1 in (self.final_day, self.status_day)


@dataclass(frozen=True, slots=True)
class KampungPlanInput:
    kampung: KampungView
    units: Sequence[UnitView]
    ketua: Sequence[Recipient]
    kader_by_unit: Mapping[int, Sequence[Recipient]]
    reported_last_month: frozenset[int]  # unit ids with a report for the previous month


@dataclass(frozen=True, slots=True)
class Planned:
    kind: OutboxKind
    member_id: int
    period: str
    payload: OutboxPayload


def _in_window(local: datetime, day: date, send_time: time) -> bool:
    """From `send_time` on `day` until CATCH_UP_DAYS later."""
    today = local.date()
    if today < day or (today - day).days > CATCH_UP_DAYS:
        return False
    return today > day or local.time() >= send_time


def _when_text(days: int) -> str:
    return texts.REMINDER_TOMORROW if days == 1 else texts.REMINDER_IN_DAYS.format(days=days)


def _meeting_reminders(
    local: datetime, rules: ScheduleRules, rule_text: str | None
) -> list[tuple[date, int]]:
    """(meeting day, days before) pairs for which a reminder is due now."""
    if not rule_text:
        return []
    try:
        rule = parse_meeting_rule(rule_text)
    except MeetingRuleError:
        return []
    meeting = rule.next_on_or_after(local.date())
    return [
        (meeting, days)
        for days in rules.reminder_days_before
        if days >= 1
        and meeting - timedelta(days=days) == local.date()
        and local.time() >= rules.send_time
    ]


@dataclass(frozen=True, slots=True)
class _RecapDue:
    """What of last month's status and final recap is due now, in one zone."""

    period: str
    status: bool
    final: bool
    deadline: date
    final_recap: date


def _recap_due(local: datetime, rules: ScheduleRules, month: date) -> _RecapDue:
    """The status and final recap that go out in `month` (its first day): of the month
    before it."""
    final_recap = month.replace(day=rules.final_day)
    status_day = rules.status_day
    # A status caught up late still comes before the next word to the ketua about the
    # month (the missing list or the final recap), never after it nor beside it.
    until = rules.final_day
    if status_day is not None and status_day < rules.deadline_day + 1 < until:
        until = rules.deadline_day + 1
    status = (
        status_day is not None
        and _in_window(local, month.replace(day=status_day), rules.send_time)
        and local < datetime.combine(month.replace(day=until), rules.send_time, local.tzinfo)
    )
    return _RecapDue(
        period=shift_period(period_of(month), -1),
        status=status,
        final=_in_window(local, final_recap, rules.send_time),
        deadline=month.replace(day=rules.deadline_day),
        final_recap=final_recap,
    )


def _recaps_due(local: datetime, rules: ScheduleRules) -> list[_RecapDue]:
    """Those of last month's schedule (a final recap on the 28th is caught up in the first
    days of the next month) and of this month's, oldest first."""
    this_month = local.date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return [_recap_due(local, rules, month) for month in (last_month, this_month)]


def plan_kampung(now: datetime, rules: ScheduleRules, data: KampungPlanInput) -> list[Planned]:
    kampung = data.kampung
    local = now.astimezone(ZoneInfo(kampung.timezone))
    today = local.date()
    last_month = shift_period(period_of(today), -1)
    planned: list[Planned] = []

    for due in _recaps_due(local, rules):
        if due.final:
            final = FinalRecapPayload(kampung_id=kampung.id, period=due.period)
            kind = OutboxKind.FINAL_RECAP
            planned += [Planned(kind, k.id, due.period, final) for k in data.ketua]
        if due.status:
            status = StatusPayload(
                kampung_id=kampung.id,
                period=due.period,
                deadline=due.deadline,
                final_recap=due.final_recap,
            )
            kind = OutboxKind.RECAP_STATUS
            planned += [Planned(kind, k.id, due.period, status) for k in data.ketua]

    for unit in data.units:
        if not expects_reports(unit.kind):
            continue
        for meeting, days in _meeting_reminders(local, rules, unit.meets):
            text = texts.REMINDER_MEETING.format(
                unit=unit.name, when=_when_text(days), date=texts.long_date(meeting)
            )
            reminder = MeetingReminderPayload(
                text=text, meeting_date=meeting, timezone=kampung.timezone
            )
            planned += [
                Planned(
                    OutboxKind.REMINDER, k.id, f"{unit.id}:{meeting.isoformat()}:{days}", reminder
                )
                for k in data.kader_by_unit.get(unit.id, ())
                if k.reminders_on
            ]
    for meeting, days in _meeting_reminders(local, rules, kampung.pokja_meets):
        text = texts.REMINDER_POKJA.format(
            kampung=kampung.name, when=_when_text(days), date=texts.long_date(meeting)
        )
        reminder = MeetingReminderPayload(
            text=text, meeting_date=meeting, timezone=kampung.timezone
        )
        slot = f"{kampung.id}:{meeting.isoformat()}:{days}"
        planned += [
            Planned(OutboxKind.POKJA_REMINDER, k.id, slot, reminder)
            for k in data.ketua
            if k.reminders_on
        ]

    if _in_window(
        local, today.replace(day=rules.deadline_day) + timedelta(days=1), rules.send_time
    ):
        planned += _follow_ups(
            data, last_month, rules.deadline_day, missing_list=not rules.ketua_told_after_deadline
        )
    return planned


def _follow_ups(
    data: KampungPlanInput, period: str, deadline_day: int, missing_list: bool
) -> list[Planned]:
    planned: list[Planned] = []
    missing_lines: list[str] = []
    month = texts.month_name(period)
    for unit in data.units:
        if not expects_reports(unit.kind) or unit.id in data.reported_last_month:
            continue
        kader = data.kader_by_unit.get(unit.id, ())
        names = ", ".join(k.name for k in kader) or texts.RECAP_NO_KADER
        missing_lines.append(texts.RECAP_MISSING_UNIT.format(unit=unit.name, kader=names))
        text = texts.FOLLOW_UP.format(unit=unit.name, month=month, deadline=deadline_day)
        planned += [
            Planned(OutboxKind.FOLLOWUP, k.id, f"{unit.id}:{period}", TextPayload(text=text))
            for k in kader
            if k.reminders_on
        ]
    if missing_lines and missing_list:
        text = texts.MISSING_LIST.format(month=month, deadline=deadline_day)
        text += "\n" + "\n".join(missing_lines)
        planned += [
            Planned(OutboxKind.MISSING_LIST, k.id, period, TextPayload(text=text))
            for k in data.ketua
            if k.reminders_on
        ]
    return planned


def plan_district(
    now: datetime,
    rules: ScheduleRules,
    kecamatan: str,
    timezone: str,
    plkb: Sequence[Recipient],
) -> list[Planned]:
    planned: list[Planned] = []
    for due in _recaps_due(now.astimezone(ZoneInfo(timezone)), rules):
        if due.final:
            final = FinalDistrictRecapPayload(kecamatan=kecamatan, period=due.period)
            kind = OutboxKind.FINAL_DISTRICT_RECAP
            planned += [Planned(kind, p.id, due.period, final) for p in plkb]
        if due.status:
            status = DistrictStatusPayload(
                kecamatan=kecamatan,
                period=due.period,
                deadline=due.deadline,
                final_recap=due.final_recap,
            )
            kind = OutboxKind.DISTRICT_STATUS
            planned += [Planned(kind, p.id, due.period, status) for p in plkb]
    return planned


def reminder_is_stale(payload: MeetingReminderPayload, now: datetime) -> bool:
    """A meeting reminder whose meeting day has passed is dropped, not sent late."""
    return payload.meeting_date < now.astimezone(ZoneInfo(payload.timezone)).date()
