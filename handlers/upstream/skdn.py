"""The posyandu month as the SKDN rekap (F2 / SIP format 6): one row per posyandu, the
desa total under them. Every figure is the recap's; an answer a kader skipped (T, O, B,
2T), and a rate over it, is a blank cell, never 0."""

from __future__ import annotations

import xlsxwriter

from handlers import texts
from handlers.recap.tally import Tally
from handlers.upstream.month import KampungMonth
from handlers.upstream.portal import write_place
from handlers.upstream.sheet import Sheet, sheet_name

# The F2 columns, by recap figure key.
COLUMNS = tuple(texts.SKDN_COLUMNS)


def write_skdn(book: xlsxwriter.Workbook, month: KampungMonth, used: set[str]) -> None:
    t = texts
    kampung = month.kampung
    posyandu = month.recap.forms["posyandu"]
    sheet = Sheet(
        book, sheet_name(used, t.UPSTREAM_SHEET["skdn"], kampung.kelurahan or kampung.name)
    )
    sheet.title(t.UPSTREAM_TITLE["skdn"])
    write_place(sheet, month)
    sheet.skip()
    header_row = sheet.header(
        (
            t.UPSTREAM_NO,
            t.SKDN_POSYANDU,
            *(t.SKDN_COLUMNS[key] for key in COLUMNS),
            t.UPSTREAM_NOTE,
        )
    )
    for number, (name, tally) in enumerate(posyandu.units, start=1):
        sheet.cells((number, name, *_figures(tally)))
    sheet.cells(("", t.SKDN_TOTAL, *_figures(posyandu.total)), total=True)
    sheet.skip()
    sheet.line(t.UPSTREAM_BLANK_NOTE)
    widths = (5, 24, *(7 if len(t.SKDN_COLUMNS[k]) < 4 else 9 for k in COLUMNS), 14)
    sheet.print_on_a4(header_row, landscape=True, widths=widths)


def _figures(tally: Tally) -> tuple[object, ...]:
    """The columns' values and the note; a unit (or a desa) without a report is blank."""
    if not tally.reports:
        return (*(None,) * len(COLUMNS), texts.UPSTREAM_NOT_REPORTED)
    return (*(tally.value(key) for key in COLUMNS), None)
