"""What is due when: the monthly recap, meeting reminders and deadline follow-ups.

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
    DistrictRecapPayload,
    KampungView,
    MeetingReminderPayload,
    OutboxKind,
    OutboxPayload,
    RecapPayload,
    Recipient,
    TextPayload,
    UnitView,
)

# A recap or follow-up whose day passed while the bot was down is still sent this many days
# later; after that it is stale (a recap of last month on the 20th surprises more than helps).
CATCH_UP_DAYS = 7


@dataclass(frozen=True, slots=True)
class ScheduleRules:
    recap_day: int
    send_time: time
    reminder_days_before: tuple[int, ...]
    deadline_day: int


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


def plan_kampung(now: datetime, rules: ScheduleRules, data: KampungPlanInput) -> list[Planned]:
    kampung = data.kampung
    local = now.astimezone(ZoneInfo(kampung.timezone))
    today = local.date()
    last_month = shift_period(period_of(today), -1)
    planned: list[Planned] = []

    if _in_window(local, today.replace(day=rules.recap_day), rules.send_time):
        recap = RecapPayload(kampung_id=kampung.id, period=last_month)
        planned += [Planned(OutboxKind.RECAP, k.id, last_month, recap) for k in data.ketua]

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
        planned += _follow_ups(data, last_month, rules.deadline_day)
    return planned


def _follow_ups(data: KampungPlanInput, period: str, deadline_day: int) -> list[Planned]:
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
    if missing_lines:
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
    local = now.astimezone(ZoneInfo(timezone))
    if not _in_window(local, local.date().replace(day=rules.recap_day), rules.send_time):
        return []
    last_month = shift_period(period_of(local.date()), -1)
    recap = DistrictRecapPayload(kecamatan=kecamatan, period=last_month)
    return [Planned(OutboxKind.DISTRICT_RECAP, p.id, last_month, recap) for p in plkb]


def reminder_is_stale(payload: MeetingReminderPayload, now: datetime) -> bool:
    """A meeting reminder whose meeting day has passed is dropped, not sent late."""
    return payload.meeting_date < now.astimezone(ZoneInfo(payload.timezone)).date()
