"""What a draft's answers imply: the warnings to confirm, what is still missing, last
month's values, duplicates. Pure functions of the context and the draft."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from handlers import texts
from handlers.forms import FORMS, FieldSpec, FormSpec, Value, balance_sides
from handlers.periods import period_of, shift_period
from storage.views import ReportView

from .display import member_unit, period_and_meeting
from .state import Context, Draft


def unanswered(fields: Sequence[FieldSpec], answers: dict[str, Value]) -> list[FieldSpec]:
    return [f for f in fields if f.key not in answers]


def methods_left_out(spec: FormSpec, answers: dict[str, Value]) -> list[str]:
    """The unanswered fields of the form's method lists (KB: PA and PB per method)."""
    groups = dict.fromkeys(f.group for f in spec.fields if f.group)
    return [f.key for g in groups if g for f in unanswered(spec.group_fields(g), answers)]


def unbalanced(spec: FormSpec, answers: dict[str, Value]) -> bool:
    sides = balance_sides(spec, answers)
    return sides is not None and sides[0] != sides[1]


def correctable_reports(ctx: Context) -> list[ReportView]:
    """The member's reports of this month and last, newest period first."""
    this_month = period_of(ctx.today)
    periods = {this_month, shift_period(this_month, -1)}
    member = ctx.member
    unit_ids = {unit.id for unit in member.units} if member else set()
    found = [r for r in ctx.reports if r.period in periods and r.unit_id in unit_ids]
    return sorted(found, key=lambda r: (r.period, r.meeting_date or date.min), reverse=True)


def duplicate_of(ctx: Context, draft: Draft) -> ReportView | None:
    """A saved report of the same unit and month (or meeting day) as the draft."""
    spec = FORMS[draft.form]
    if spec.many_per_day:
        return None
    period, meeting = period_and_meeting(spec, draft.answers)
    for report in ctx.reports:
        if report.unit_id != draft.unit_id or report.form != draft.form:
            continue
        if report.id == draft.correction_of:
            continue
        same = report.meeting_date == meeting if spec.per_meeting else True
        if report.period == period and same:
            return report
    return None


def previous_from_reports(ctx: Context, draft: Draft) -> dict[str, int | str] | None:
    """The same unit's report of the month before the draft's (its last meeting)."""
    spec = FORMS[draft.form]
    if spec.fields[0].key not in draft.answers:
        return None
    period, _ = period_and_meeting(spec, draft.answers)
    before = shift_period(period, -1)
    candidates = [
        r
        for r in ctx.reports
        if r.unit_id == draft.unit_id and r.form == draft.form and r.period == before
    ]
    if not candidates:
        return None
    latest = max(candidates, key=lambda r: r.meeting_date or date.min)
    return dict(latest.values)


def _change_warning(key: str, value: int, previous: int) -> str | None:
    change = abs(value - previous)
    if change <= 5 or change <= previous * 0.5:
        return None
    percent = f"{(value - previous) / previous * 100:+.0f}%" if previous else "dari 0"
    return texts.WARN_CHANGE.format(
        label=texts.field_label(key), value=value, previous=previous, percent=percent
    )


def warnings(ctx: Context, draft: Draft, keys: Sequence[str]) -> list[str]:
    """The warnings the answers to `keys` raise: the form's own rules, counts above the
    Kampung KB profile, and big changes against last month."""
    previous = draft.previous if draft.previous is not None else previous_from_reports(ctx, draft)
    profile = member_unit(ctx, draft.unit_id).profile
    return answer_warnings(FORMS[draft.form], draft.answers, keys, profile, previous)


def answer_warnings(
    spec: FormSpec,
    answers: Mapping[str, Value],
    keys: Sequence[str],
    profile: Mapping[str, int],
    previous: Mapping[str, int | str] | None,
) -> list[str]:
    """`warnings` for any answers: a draft's, or a saved report's the ketua reviews."""
    found = [
        message
        for rule in spec.warnings
        if rule.after in keys and (message := rule.check(dict(answers))) is not None
    ]
    for key in keys:
        value, field_spec = answers.get(key), spec.field(key)
        limit = profile.get(field_spec.profile or "", 0)
        if isinstance(value, int) and limit and value > limit:
            found.append(
                texts.WARN_PROFILE.format(
                    label=texts.field_label(key),
                    value=value,
                    profile=texts.PROFILE_NAMES[field_spec.profile or ""],
                    limit=limit,
                )
            )
    for key in keys:
        value, before = answers.get(key), (previous or {}).get(key)
        if isinstance(value, int) and isinstance(before, int):
            message = _change_warning(key, value, before)
            if message:
                found.append(message)
    return found
