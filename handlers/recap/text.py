"""The recap as messages: a Kampung KB's month, and a district's line per Kampung KB.

A form's part is its sentences in texts.RECAP_LINES, filled with its figures by key; no
form is named here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

from babel.numbers import format_decimal

from handlers import texts
from handlers.forms import FORMS, Mix, Rate
from handlers.recap.indicators import FormRecap, Recap, listing_values
from handlers.recap.tally import Tally, pooled
from storage import ReportView

number = texts.number


def percent(value: float | None) -> str:
    if value is None:
        return "-"
    return format_decimal(round(value, 1), format="#,##0.0", locale=texts.LOCALE) + "%"


def change(now: float | None, before: float | None) -> str:
    """ "(+2,1 poin)" against last month, or "" when either month has no figure."""
    if now is None or before is None:
        return ""
    delta = round(now - before, 1)
    sign = "+" if delta > 0 else ""
    shown = format_decimal(delta, format="#,##0.0", locale=texts.LOCALE)
    return texts.RECAP_CHANGE.format(change=f"{sign}{shown}")


def count(value: int | None) -> str:
    """A count, or "-" when nobody answered it (a skipped answer is absent, not 0)."""
    return "-" if value is None else number(value)


def _mix(tally: Tally, mix: Mix) -> str:
    """The method mix: each method of the group that someone uses, with its count
    ("IUD 20, implan 40"), in the form's order; "-" when nobody uses any."""
    used = []
    for field in tally.spec.group_fields(mix.group):
        value = tally.count(field.key)
        if value and field.method:
            used.append(f"{texts.METHOD_SHORT[field.method]} {number(value)}")
    return ", ".join(used) or "-"


def _answered(form: str, tally: Tally, key: str) -> str:
    """That only some reports gave an optional answer a rate is taken over, or ""."""
    _, _, answered = tally.parts(key)
    if not 0 < answered < tally.samples:
        return ""
    template = texts.RECAP_ANSWERED.get(form, texts.RECAP_ANSWERED_ANY)
    return template.format(answered=answered, reports=tally.samples)


class _Asked(dict[str, object]):
    """What a sentence of the catalogue says, by key, worked out when the sentence asks for
    it: a district of a thousand Kampung KB formats only what its line shows."""

    def __init__(self, work_out: Callable[[str], object], given: Mapping[str, object]) -> None:
        super().__init__(given)
        self._work_out = work_out

    def __missing__(self, key: str) -> object:
        value = self[key] = self._work_out(key)
        return value


def _figures(form: FormRecap, tally: Tally, before: Tally | None) -> _Asked:
    """Everything a line of the form may say (see texts.RECAP_LINES)."""
    name = form.spec.name
    declared = {figure.key: figure for figure in form.spec.recap.figures}

    def work_out(key: str) -> object:
        if tally.has(key):
            return percent(tally.rate(key)) if tally.is_rate(key) else count(tally.count(key))
        figure = declared.get(key)
        if isinstance(figure, Mix):
            return _mix(tally, figure)
        base, _, part = key.rpartition("_")
        rate = declared.get(base)
        if isinstance(rate, Rate) and part == "change":
            return change(tally.rate(base), before.rate(base)) if before else ""
        if isinstance(rate, Rate) and part == "target":
            return "" if rate.target is None else percent(rate.target)
        if isinstance(rate, Rate) and part == "answered":
            return _answered(name, tally, base)
        raise KeyError(key)

    given = {
        "form": texts.FORM_NAMES[name],
        "units": len(form.units),
        "units_reported": form.units_reported,
        "reports": tally.reports,
    }
    return _Asked(work_out, given)


def _pooled_rates(recap: Recap) -> _Asked:
    """A Kampung KB's rates by key, each over every form that has it."""
    totals = [form.total for form in recap.forms.values()]

    def work_out(key: str) -> object:
        if any(total.has(key) and total.is_rate(key) for total in totals):
            return percent(pooled(totals, key))
        raise KeyError(key)

    return _Asked(work_out, {})


def _form_lines(recap: Recap, form: FormRecap) -> list[str]:
    t = texts
    name = form.spec.name
    heading = t.RECAP_HEADINGS.get(name)
    lines = [heading] if heading else []
    if not form.total.reports:
        month = t.month_name(recap.period)
        lines.append(t.RECAP_FORM_NONE.format(form=t.FORM_NAMES[name], month=month))
    else:
        shown = _figures(form, form.total, form.before)
        lines += [line.format_map(shown) for line in t.RECAP_LINES.get(name, ())]
    unit_line = t.RECAP_UNIT_LINES.get(name)
    if unit_line and len(form.units) > 1:
        for unit, tally in form.units:
            if not tally.reports:
                lines.append(t.RECAP_UNIT_NONE.format(unit=unit))
            else:
                shown = _figures(form, tally, None)
                shown["unit"] = unit
                lines.append(unit_line.format_map(shown))
    return lines


def _sections(recap: Recap) -> list[list[FormRecap]]:
    """The shown forms by section, in the forms' order: one paragraph each."""
    sections: dict[str, list[FormRecap]] = {}
    for name, form in recap.forms.items():
        if form.shown:
            sections.setdefault(form.spec.recap.section or name, []).append(form)
    return list(sections.values())


def recap_text(recap: Recap, final: bool = False) -> str:
    """The recap as a message; a form nobody reported this month says so, never "0".

    A form is in it where the Kampung KB has units of it. `final`: the one the schedule
    sends after the deadline says so in its title.
    """
    t = texts
    title = t.RECAP_FINAL_TITLE if final else t.RECAP_TITLE
    lines = [title.format(kampung=recap.kampung.name, month=t.month_name(recap.period)), ""]
    for section in _sections(recap):
        present = [form for form in section if form.units]
        if present:
            for form in present:
                lines += _form_lines(recap, form)
            lines.append("")
    for name, reports in recap.listings.items():
        lines += [*_listing_lines(recap, name, reports), ""]
    done = recap.completeness
    lines.append(
        t.RECAP_COMPLETENESS.format(
            reported=sum(done.reported.values()),
            expected=sum(done.expected.values()),
            share=percent(done.share),
            timeliness=percent(done.timeliness),
        )
    )
    if done.missing:
        lines.append(t.RECAP_MISSING)
        for item in done.missing:
            kader = ", ".join(item.kader) if item.kader else t.RECAP_NO_KADER
            lines.append(t.RECAP_MISSING_UNIT.format(unit=item.unit, kader=kader))
    else:
        lines.append(t.RECAP_ALL_IN)
    if recap.reviews:
        lines += ["", t.RECAP_REVIEW_TITLE]
        lines += [
            t.RECAP_REVIEW_LINE.format(
                unit=r.unit, approved=r.approved, waiting=r.waiting, returned=r.returned
            )
            for r in recap.reviews
        ]
    return "\n".join(lines)


def _listing_lines(recap: Recap, name: str, reports: Sequence[ReportView]) -> list[str]:
    """A form reported at will: one line per report of the month (kegiatan)."""
    t = texts
    if not reports:
        return [t.RECAP_FORM_NONE.format(form=t.FORM_NAMES[name], month=t.month_name(recap.period))]
    spec = FORMS[name]
    lines = [t.RECAP_HEADINGS.get(name, t.FORM_NAMES[name])]
    for report in reports:
        shown = {
            key: "-" if value is None else t.short_date(value) if isinstance(value, date) else value
            for key, value in listing_values(spec, report).items()
        }
        lines.append(t.RECAP_LIST_LINE[name].format(**shown))
    return lines


def district_text(kecamatan: str, period: str, recaps: Sequence[Recap], final: bool = False) -> str:
    """One line per Kampung KB; its rates pooled by key over the forms that have them."""
    t = texts
    title = t.DISTRICT_FINAL_TITLE if final else t.DISTRICT_TITLE
    lines = [title.format(kecamatan=kecamatan, month=t.month_name(period)), ""]
    for recap in recaps:
        done = recap.completeness
        reported, expected = sum(done.reported.values()), sum(done.expected.values())
        if expected and not reported:
            lines.append(t.DISTRICT_ROW_NONE.format(kampung=recap.kampung.name, expected=expected))
        else:
            shown = _pooled_rates(recap)
            shown.update(kampung=recap.kampung.name, reported=reported, expected=expected)
            lines.append(t.DISTRICT_ROW.format_map(shown))
        lines += _lock_lines(recap)
    return "\n".join(lines)


def _lock_lines(recap: Recap) -> list[str]:
    """The month locked in this Kampung KB, and for whom the ketua reopened it."""
    lock = recap.lock
    if lock is None:
        return []
    lines = [texts.DISTRICT_LOCKED.format(deadline=texts.short_date(lock.since))]
    lines += [
        texts.DISTRICT_UNLOCKED.format(unit=unit, kader=kader, until=texts.short_date(until))
        for unit, kader, until in lock.reopened
    ]
    return lines
