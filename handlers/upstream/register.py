"""The SIGA monthly registers of the poktan (R/I/BKB, R/I/BKR, R/I/BKL, R/I/UPPKA,
R/I/PIK-R): one sheet per group and month, one row per meeting, the month's totals as the
recap counts them, and the sign-off block.

A register column the chat form does not ask (BKB's kelompok umur, the diskusi) is kept,
blank and marked: a sheet never invents a value.
"""

from __future__ import annotations

import xlsxwriter

from handlers import texts
from handlers.forms import FORMS, FieldKind
from handlers.upstream.month import KampungMonth
from handlers.upstream.sheet import Sheet, sheet_name
from storage import UnitView

_POKTAN_COLUMNS = ("tanggal", "materi", "penyaji", "diskusi", "anggota", "hadir", "kader_hadir")
_PUS = ("pus_anggota", "pus_kb")
# The register's columns per form, in the register's order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "bkb": ("tanggal", "kelompok_umur", *_POKTAN_COLUMNS[1:], *_PUS),
    "bkr": (*_POKTAN_COLUMNS, *_PUS),
    "bkl": (*_POKTAN_COLUMNS, *_PUS, "lansia_mandiri", "lansia_pendamping"),
    "uppka": ("tanggal", "jenis_usaha", "modal", "anggota", "hadir", "kader_hadir", *_PUS),
    "pikr": (*_POKTAN_COLUMNS, "konseling"),
}
REGISTER_FORMS = tuple(COLUMNS)


def write_registers(book: xlsxwriter.Workbook, month: KampungMonth, used: set[str]) -> None:
    """One sheet per group of the Kampung KB, in the forms' order, reported or not."""
    for form in REGISTER_FORMS:
        for unit in month.units_of(form):
            _register(book, month, unit, form, used)


def _label(form: str, key: str) -> str:
    label = texts.REGISTER_COLUMNS[key]
    if form == "pikr":
        label = texts.REGISTER_COLUMNS_PIKR.get(key, label)
    asked = key in {f.key for f in FORMS[form].fields}
    return label if asked else label + texts.UPSTREAM_NOT_ASKED_MARK


def _register(
    book: xlsxwriter.Workbook, month: KampungMonth, unit: UnitView, form: str, used: set[str]
) -> None:
    t = texts
    spec = FORMS[form]
    asked = {f.key: f for f in spec.fields}
    columns = COLUMNS[form]
    code = t.UPSTREAM_REGISTER_CODE[form]
    qualifier = month.kampung.kelurahan or month.kampung.name
    sheet = Sheet(book, sheet_name(used, code.replace("/", "."), unit.name, qualifier=qualifier))
    sheet.title(t.UPSTREAM_REGISTER_TITLE.format(form=t.FORM_NAMES[form], code=code))
    sheet.field(t.UPSTREAM_MONTH, t.month_name(month.period))
    sheet.field(t.UPSTREAM_KODE_WILAYAH, month.kampung.kode_wilayah)
    sheet.field(t.UPSTREAM_KODE_POKTAN, unit.kode_poktan)
    sheet.field(t.UPSTREAM_NOMOR_REGISTER, unit.nomor_register)
    sheet.field(t.UPSTREAM_NAMA_KELOMPOK, unit.name)
    sheet.field(t.UPSTREAM_KAMPUNG, month.kampung.name)
    sheet.skip()
    header_row = sheet.header((t.UPSTREAM_NO, *(_label(form, key) for key in columns)))
    meetings = month.reports.get(unit.id, ())
    for number, report in enumerate(meetings, start=1):
        row: list[object] = [number]
        for key in columns:
            if key == spec.fields[0].key:
                row.append(report.meeting_date)
            elif key in asked:
                row.append(report.values.get(key))  # a skipped answer: blank
            else:
                row.append(None)
        sheet.cells(row)
    if not meetings:
        sheet.cells(("", t.REGISTER_NO_MEETING, *(None,) * (len(columns) - 1)))
    tally = month.unit_tally(unit)
    total: list[object] = ["", t.REGISTER_TOTAL.format(meetings=tally.reports)]
    for key in columns[1:]:
        counted = key in asked and asked[key].kind is FieldKind.INT and bool(tally.reports)
        total.append(tally.count(key) if counted else None)
    sheet.cells(total, total=True)
    sheet.skip()
    sheet.line(t.UPSTREAM_NOT_ASKED)
    sheet.line(t.UPSTREAM_BLANK_NOTE)
    sheet.skip()
    right = max(3, len(columns) - 2)
    sheet.sign_off((), (t.SIGN_PLACE_DATE,), right)
    sheet.sign_off((t.SIGN_KNOWN, t.SIGN_PEMBINA), ("", t.SIGN_KETUA), right)
    sheet.skip(3)  # room to sign
    sheet.sign_off((t.SIGN_NAME,), (t.SIGN_NAME,), right)
    widths = [5.0] + [_width(key) for key in columns]
    sheet.print_on_a4(header_row, landscape=True, widths=widths)


def _width(key: str) -> float:
    return {"tanggal": 12, "materi": 30, "penyaji": 14, "diskusi": 20, "catatan": 30}.get(key, 11)
