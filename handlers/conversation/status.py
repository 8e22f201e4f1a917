"""/status: what is reported and what is still due this month."""

from __future__ import annotations

from handlers import texts
from handlers.forms import FORM_FOR_KIND, FORMS
from handlers.meetings import MeetingRuleError, parse_meeting_rule
from handlers.periods import period_of, shift_period
from storage.views import UnitView

from .display import report_title, report_when, reportable_units
from .state import Context


def status_text(ctx: Context) -> str:
    """What is reported and what is still due this month, for the member's units."""
    member = ctx.member
    assert member is not None
    this_month = period_of(ctx.today)
    lines = [texts.STATUS_HEADER.format(month=texts.month_name(this_month))]
    units = reportable_units(member)
    if not units:
        return texts.STATUS_NO_UNITS
    if member.role == "plkb":
        return "\n".join(lines + _kampung_status_lines(ctx, units, this_month))
    last_month = shift_period(this_month, -1)
    for unit in units:
        reports = [r for r in ctx.reports if r.unit_id == unit.id and r.period == this_month]
        if not reports:
            lines.append(texts.STATUS_MISSING.format(unit=unit.name))
        elif FORMS[FORM_FOR_KIND[unit.kind]].per_meeting:
            dates = sorted(r.meeting_date for r in reports if r.meeting_date)
            lines.append(
                texts.STATUS_DONE_MEETINGS.format(
                    unit=unit.name,
                    count=len(reports),
                    dates=", ".join(texts.short_date(d) for d in dates),
                )
            )
        else:
            report = reports[0]
            shown = report.meeting_date or report.reported_at.date()
            lines.append(
                texts.STATUS_DONE_MONTHLY.format(
                    unit=unit.name, date=texts.short_date(shown), revision=report.revision
                )
            )
        # Last month's report is still due until the deadline day of this month.
        due = ctx.today.day <= ctx.deadline_day
        if due and not any(r.unit_id == unit.id and r.period == last_month for r in ctx.reports):
            lines.append(
                texts.STATUS_LAST_MONTH_MISSING.format(
                    unit=unit.name,
                    month=texts.month_name(last_month),
                    deadline=ctx.deadline_day,
                )
            )
        if unit.meets:
            try:
                rule = parse_meeting_rule(unit.meets)
            except MeetingRuleError:
                continue
            upcoming = rule.next_on_or_after(ctx.today)
            lines.append(texts.STATUS_NEXT_MEETING.format(date=texts.long_date(upcoming)))
    if member.role == "ketua":
        lines += _review_lines(ctx, units)
    return "\n".join(lines)


def _review_lines(ctx: Context, units: list[UnitView]) -> list[str]:
    """For a ketua: the reports of this month and last that wait for their review."""
    periods = {period_of(ctx.today), shift_period(period_of(ctx.today), -1)}
    names = {unit.id: unit.name for unit in units}
    mine = [r for r in ctx.reports if r.period in periods and r.unit_id in names]
    waiting = [r for r in mine if r.review == "waiting"]
    returned = sum(1 for r in mine if r.review == "returned")
    lines = []
    if waiting:
        lines.append(texts.STATUS_REVIEW_WAITING)
        lines += [
            texts.STATUS_REVIEW_LINE.format(
                title=report_title(r.form, names[r.unit_id]),
                when=report_when(r),
                revision=r.revision,
            )
            for r in sorted(waiting, key=lambda r: r.reported_at)
        ]
    if returned:
        lines.append(texts.STATUS_REVIEW_RETURNED.format(count=returned))
    return lines


def _kampung_status_lines(ctx: Context, units: list[UnitView], period: str) -> list[str]:
    by_kampung: dict[str, list[UnitView]] = {}
    for unit in units:
        by_kampung.setdefault(unit.kampung_name, []).append(unit)
    reported = {r.unit_id for r in ctx.reports if r.period == period}
    return [
        texts.STATUS_KAMPUNG.format(
            kampung=name,
            done=sum(1 for unit in members if unit.id in reported),
            total=len(members),
        )
        for name, members in sorted(by_kampung.items())
    ]
