"""How drafts, reports and units are named and shown to the member."""

from __future__ import annotations

from datetime import date

from handlers import texts
from handlers.forms import FORMS, POKJA_KIND, FieldKind, FormSpec, Value, expects_reports, photo_ids
from handlers.periods import period_of
from storage.views import MemberView, ReportView, UnitView

from .state import Context


def report_title(form: str, unit_name: str) -> str:
    """ "Posyandu Melati", or "KB – PPKBD Sukamaju" when the unit name does not say the form."""
    form_name = texts.FORM_NAMES[form]
    if unit_name.lower().startswith(form_name.lower()):
        return unit_name
    return f"{form_name} – {unit_name}"


def member_unit(ctx: Context, unit_id: int) -> UnitView:
    assert ctx.member is not None
    for unit in ctx.member.units:
        if unit.id == unit_id:
            return unit
    raise KeyError(unit_id)


def unit_name(ctx: Context, unit_id: int) -> str:
    return member_unit(ctx, unit_id).name


def reportable_units(member: MemberView) -> list[UnitView]:
    """The units /lapor offers: those that owe reports (kegiatan has its own command)."""
    return [unit for unit in member.units if expects_reports(unit.kind)]


def pokja_unit(member: MemberView) -> UnitView | None:
    """The member's Kampung KB as a unit that reports kegiatan."""
    return next((u for u in member.units if u.kind == POKJA_KIND), None)


def period_and_meeting(spec: FormSpec, answers: dict[str, Value]) -> tuple[str, date | None]:
    first = answers[spec.fields[0].key]
    assert isinstance(first, str)
    if spec.dated:
        day = date.fromisoformat(first)
        return period_of(day), day
    return first, None


def when(spec: FormSpec, answers: dict[str, Value]) -> str:
    period, meeting = period_and_meeting(spec, answers)
    return texts.short_date(meeting) if meeting else texts.month_name(period)


def report_when(report: ReportView) -> str:
    """A meeting's date, or the month of a monthly report."""
    if FORMS[report.form].per_meeting and report.meeting_date:
        return texts.short_date(report.meeting_date)
    return texts.month_name(report.period)


def report_label(ctx: Context, report: ReportView) -> str:
    """A saved report as a button: its unit and when; a form reported many times a day
    (kegiatan) by what it was: "Kegiatan – Rapat koordinasi – 3 Nov 2026"."""
    spec = FORMS[report.form]
    if spec.recap.listing:
        what = report.values.get(spec.recap.listing[0], "")
        return f"{texts.FORM_NAMES[report.form]} – {what} – {report_when(report)}"
    return f"{unit_name(ctx, report.unit_id)} – {report_when(report)}"


def shown_value(spec: FormSpec, key: str, value: Value) -> str:
    if value is None:
        return texts.SKIPPED
    if spec.field(key).kind is FieldKind.DATE and isinstance(value, str):
        return texts.short_date(date.fromisoformat(value))
    if spec.field(key).kind is FieldKind.PHOTOS:
        return str(len(photo_ids(value)))
    if spec.field(key).kind is FieldKind.PERIOD and isinstance(value, str):
        return texts.month_name(value)
    return str(value)


def summary_lines(spec: FormSpec, answers: dict[str, Value]) -> list[str]:
    lines = []
    for field_spec in spec.fields:
        if field_spec.key in answers:
            shown = shown_value(spec, field_spec.key, answers[field_spec.key])
            lines.append(f"{texts.field_label(field_spec.key)}: {shown}")
    return lines
