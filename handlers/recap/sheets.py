"""The recap as spreadsheets: a Kampung KB's summary and one sheet per form, units as rows;
a district's one row per Kampung KB. Rows and columns are the views of the form specs."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

import xlsxwriter

from handlers import texts
from handlers.forms import FORMS, Count, FormSpec, Mix, Rate, RecapSpec
from handlers.recap.indicators import FormRecap, Recap, listing_values, recapped_forms
from handlers.sheets import new_workbook


def _sheet_rows(
    workbook: xlsxwriter.Workbook,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> None:
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for number_, row in enumerate(rows, start=1):
        sheet.write_row(number_, 0, [_cell(v) for v in row])
    sheet.set_column(0, 0, 28)
    sheet.freeze_panes(1, 1)


def _cell(value: object) -> object:
    """A rounded percentage, or "-" for a figure nobody reported (never 0)."""
    if isinstance(value, float):
        return round(value, 1)
    return "-" if value is None else value


def _every_figure(spec: FormSpec) -> tuple[str, ...]:
    return tuple(f.key for f in spec.recap.figures if not isinstance(f, Mix))


def _summary_keys(spec: FormSpec) -> tuple[str, ...]:
    view = spec.recap.summary
    return _every_figure(spec) if view is None else view


def _unit_keys(spec: FormSpec) -> tuple[str, ...]:
    view = spec.recap.units
    return _every_figure(spec) if view is None else view


def _label(spec: FormSpec, key: str, long: bool = False) -> str:
    """A figure's name in a sheet: its label, a field's label, or a method field's group
    and method ("PA IUD"); a rate's with " %"."""
    t = texts
    figure = next((f for f in spec.recap.figures if f.key == key), None)
    label_key = figure.label_key if isinstance(figure, Count | Rate) else key
    label = (long and t.RECAP_LABELS_LONG.get(label_key)) or t.RECAP_LABELS.get(label_key)
    if not label:
        field = spec.field(key)
        if field.group and field.method and field.group in t.RECAP_LABELS:
            label = f"{t.RECAP_LABELS[field.group]} {t.METHOD_SHORT[field.method]}"
        else:
            label = t.field_label(key)
    return t.XLSX_PERCENT.format(label=label) if isinstance(figure, Rate) else label


def _shared_label(spec: FormSpec, key: str, template: str, long: bool) -> str:
    """A figure's name on a sheet of all forms, with the form's name where the spec says."""
    label = _label(spec, key, long)
    if not spec.recap.qualified:
        return label
    return template.format(form=texts.FORM_NAMES[spec.name], label=label)


def _shown(recap: Recap) -> list[FormRecap]:
    return [form for form in recap.forms.values() if form.shown]


def recap_xlsx(recap: Recap) -> bytes:
    """A summary sheet and one sheet per form, units as rows.

    A unit without a report reads "belum lapor"; a skipped answer, or a figure of a form
    nobody reported, reads "-".
    """
    t = texts
    done = recap.completeness
    summary: list[Sequence[object]] = [
        (t.XLSX_KAMPUNG, recap.kampung.name),
        (t.XLSX_MONTH, t.month_name(recap.period)),
    ]
    for form in _shown(recap):
        summary += [
            (_shared_label(form.spec, key, t.XLSX_QUALIFIED, long=True), form.total.value(key))
            for key in _summary_keys(form.spec)
        ]
    summary += [
        (t.XLSX_PERCENT.format(label=t.XLSX_COMPLETENESS), done.share),
        (t.XLSX_PERCENT.format(label=t.XLSX_TIMELINESS), done.timeliness),
    ]
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    _sheet_rows(workbook, t.XLSX_SUMMARY, (t.XLSX_INDICATOR, t.XLSX_VALUE), summary)
    for form in _shown(recap):
        keys = _unit_keys(form.spec)
        _sheet_rows(
            workbook,
            t.FORM_NAMES[form.spec.name],
            (t.XLSX_UNIT, *(_label(form.spec, key) for key in keys)),
            [
                (name, *(tally.value(key) for key in keys))
                if tally.reports
                else (name, t.XLSX_NOT_REPORTED)
                for name, tally in form.units
            ],
        )
    for name, reports in recap.listings.items():
        spec = FORMS[name]
        header = [t.field_label(key) for key in (spec.fields[0].key, *spec.recap.listing)]
        rows = [
            [t.short_date(v) if isinstance(v, date) else v for v in values]
            for values in (listing_values(spec, r).values() for r in reports)
        ]
        _sheet_rows(workbook, t.FORM_NAMES[name], header, rows)
    _sheet_rows(
        workbook,
        t.XLSX_MISSING_SHEET,
        (t.XLSX_UNIT, t.XLSX_FORM, t.XLSX_KADER),
        [(m.unit, t.FORM_NAMES[m.form], ", ".join(m.kader)) for m in done.missing],
    )
    _sheet_rows(
        workbook,
        t.XLSX_REVIEW_SHEET,
        (t.XLSX_UNIT, t.XLSX_REVIEW_APPROVED, t.XLSX_REVIEW_WAITING, t.XLSX_REVIEW_RETURNED),
        [(r.unit, r.approved, r.waiting, r.returned) for r in recap.reviews],
    )
    workbook.close()
    return buffer.getvalue()


def district_xlsx(recaps: Sequence[Recap]) -> bytes:
    """One row per Kampung KB: each form's district figures, completeness, timeliness."""
    t = texts
    if recaps:  # a form any Kampung KB of the district shows, in the forms' order
        shown = {form.spec.name for recap in recaps for form in _shown(recap)}
        specs = [form.spec for form in recaps[0].forms.values() if form.spec.name in shown]
    else:  # the header alone
        specs = [s for s in dict.fromkeys(recapped_forms().values()) if s.recap != RecapSpec()]
    header = [t.XLSX_KAMPUNG]
    for spec in specs:
        header += [
            _shared_label(spec, key, t.XLSX_QUALIFIED_COLUMN, long=False)
            for key in spec.recap.district
        ]
    header += [
        t.XLSX_PERCENT.format(label=t.XLSX_COMPLETENESS),
        t.XLSX_PERCENT.format(label=t.XLSX_TIMELINESS),
    ]
    rows = []
    for recap in recaps:
        row: list[object] = [recap.kampung.name]
        for spec in specs:
            total = recap.forms[spec.name].total
            row += [total.value(key) for key in spec.recap.district]
        row += [recap.completeness.share, recap.completeness.timeliness]
        rows.append(row)
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    _sheet_rows(workbook, t.XLSX_SUMMARY, header, rows)
    workbook.close()
    return buffer.getvalue()
