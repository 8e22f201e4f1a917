"""The Kampung KB portal's month ("Data Perkembangan KKBPK"), in the portal's order:
peserta kegiatan per poktan, PUS peserta KB per method, PUS bukan peserta KB per reason,
PUS, pengguna BPJS. Every figure is the recap's (`Tally.value`), none computed here."""

from __future__ import annotations

import xlsxwriter

from handlers import texts
from handlers.forms import METHODS
from handlers.upstream.month import KampungMonth
from handlers.upstream.sheet import Sheet, sheet_name

POKTAN = ("bkb", "bkr", "bkl", "uppka", "pikr")  # the portal's order
REASONS = ("hamil", "ias", "iat", "tial")


def write_portal(book: xlsxwriter.Workbook, month: KampungMonth, used: set[str]) -> None:
    t = texts
    kampung, recap = month.kampung, month.recap
    name = sheet_name(used, t.UPSTREAM_SHEET["portal"], kampung.kelurahan or kampung.name)
    sheet = Sheet(book, name)
    sheet.title(t.UPSTREAM_TITLE["portal"])
    write_place(sheet, month)
    sheet.skip()
    header_row = sheet.header((t.UPSTREAM_NO, t.UPSTREAM_ITEM, t.UPSTREAM_AMOUNT, t.UPSTREAM_NOTE))

    sheet.cells(("", t.PORTAL_SECTIONS["poktan"], None, None), total=True)
    for number, form in enumerate(POKTAN, start=1):
        units = month.units_of(form)
        figures = recap.forms.get(form)
        if not units or figures is None:
            note: str | None = t.UPSTREAM_NO_GROUP
            value = None
        elif not figures.total.reports:
            note, value = t.UPSTREAM_NOT_REPORTED, None
        else:
            note = t.UPSTREAM_GROUPS.format(units=len(units), reports=figures.total.reports)
            value = figures.total.count("anggota")
        sheet.cells((number, t.PORTAL_POKTAN[form], value, note))

    kb = recap.forms["kb"].total
    missing = None if kb.reports else t.UPSTREAM_NOT_REPORTED
    sheet.cells(("", t.PORTAL_SECTIONS["aktif"], None, missing), total=True)
    for number, method in enumerate(METHODS, start=1):
        sheet.cells((number, t.PORTAL_METHODS[method], kb.value(f"aktif_{method}"), None))
    sheet.cells(("", t.PORTAL_AKTIF_TOTAL, kb.value("aktif_total"), None), total=True)
    sheet.cells(("", t.PORTAL_SECTIONS["bukan"], None, missing), total=True)
    for number, reason in enumerate(REASONS, start=1):
        sheet.cells((number, t.PORTAL_REASONS[reason], kb.value(reason), None))
    sheet.cells(("", t.PORTAL_BUKAN_TOTAL, kb.value("bukan_peserta"), None), total=True)
    sheet.cells(("", t.PORTAL_SECTIONS["pus"], None, missing), total=True)
    sheet.cells((1, t.PORTAL_PUS, kb.value("pus"), None))
    sheet.cells(("", t.PORTAL_SECTIONS["bpjs"], None, None), total=True)
    sheet.cells((1, t.PORTAL_BPJS + t.UPSTREAM_NOT_ASKED_MARK, None, None))
    sheet.skip()
    sheet.line(t.UPSTREAM_NOT_ASKED)
    sheet.line(t.UPSTREAM_BLANK_NOTE)
    sheet.print_on_a4(header_row, landscape=False, widths=(5, 48, 12, 30))


def write_place(sheet: Sheet, month: KampungMonth) -> None:
    """The header lines every layout of a Kampung KB starts with; the code blank if unset."""
    t, kampung = texts, month.kampung
    sheet.field(t.UPSTREAM_KAMPUNG, kampung.name)
    sheet.field(t.UPSTREAM_KELURAHAN, kampung.kelurahan or None)
    sheet.field(t.UPSTREAM_KECAMATAN, kampung.kecamatan)
    sheet.field(t.UPSTREAM_KODE_WILAYAH, kampung.kode_wilayah)
    sheet.field(t.UPSTREAM_MONTH, t.month_name(month.period))
