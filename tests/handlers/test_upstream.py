"""The upstream layouts (portal month, R/I registers, SKDN F2) read back with openpyxl:
header cells, row order, figures against the recap of the same data, blanks for skipped
answers, and the A4 print settings on every sheet."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from handlers import upstream
from handlers.forms import METHODS
from handlers.upstream.sheet import sheet_name
from storage import KampungView, ReportView
from tests.handlers.test_recap import KAMPUNG, REPORTS, UNITS, build, report, unit

MONTH = "2026-11"
SUKAMAJU = replace(KAMPUNG, kelurahan="Sukamaju", kode_wilayah="32.73.02.1001")
CODED_UNITS = [
    replace(u, kode_poktan="BKB.01", nomor_register="12/III") if u.kind == "bkb" else u
    for u in UNITS
]


def month(
    reports: list[ReportView] = REPORTS, kampung: KampungView = SUKAMAJU
) -> upstream.KampungMonth:
    return upstream.kampung_month(kampung, MONTH, CODED_UNITS, reports, 3)


def read(layout: str, *months: upstream.KampungMonth) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(upstream.layout_xlsx(layout, list(months))))


def rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return [row for row in sheet.iter_rows(values_only=True)]


def labelled(sheet: Worksheet) -> dict[object, tuple[object, ...]]:
    """Rows by their label (second cell of a table row, first of a header line)."""
    found: dict[object, tuple[object, ...]] = {}
    for row in rows(sheet):
        if row[0] is not None and row[0] != "" and not isinstance(row[0], int):
            found.setdefault(row[0], row[1:])
        if len(row) > 1 and row[1] is not None:
            found.setdefault(row[1], row[2:])
    return found


def table(sheet: Worksheet) -> list[tuple[object, ...]]:
    """The rows under the column header ("No" in A) down to the first empty row."""
    all_rows = rows(sheet)
    start = next(i for i, row in enumerate(all_rows) if row[0] == "No") + 1
    found = []
    for row in all_rows[start:]:
        if all(v is None for v in row):
            break
        found.append(row)
    return found


def assert_printable(sheet: Worksheet, landscape: bool) -> None:
    setup = sheet.page_setup
    assert setup.orientation == ("landscape" if landscape else "portrait"), sheet.title
    assert str(setup.paperSize) == "9", "A4"
    fit = sheet.sheet_properties.pageSetUpPr
    assert fit is not None and fit.fitToPage is True
    assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, "one page wide"
    header = next(i for i, row in enumerate(rows(sheet), start=1) if row[0] == "No")
    assert sheet.print_title_rows == f"$1:${header}", "the header repeats on every page"
    assert sheet.print_options.gridLines is True


def test_portal_month_reads_the_seed_profile_in_the_portals_order() -> None:
    book = read("portal", month())
    [sheet] = book.worksheets
    assert sheet.title == "Portal Sukamaju"
    assert_printable(sheet, landscape=False)
    assert rows(sheet)[0][0] == "DATA PERKEMBANGAN KAMPUNG KB (PORTAL KAMPUNG KB)"
    head = labelled(sheet)
    assert head["Kampung KB"][0] == "Kampung KB Sukamaju"
    assert head["Kode wilayah"][0] == "32.73.02.1001"
    assert head["Bulan lapor"][0] == "November 2026"
    items = [row[1] for row in table(sheet)]
    assert items[:6] == [
        "A. Peserta kegiatan kelompok (poktan)",
        "Keluarga anggota BKB (Bina Keluarga Balita)",
        "Keluarga anggota BKR (Bina Keluarga Remaja)",
        "Keluarga anggota BKL (Bina Keluarga Lansia)",
        "Keluarga anggota UPPKA",
        "Remaja anggota PIK-R",
    ]
    methods = items[items.index("B. PUS peserta KB menurut metode kontrasepsi") + 1 :][:7]
    assert methods == [
        "IUD / AKDR",
        "MOW (tubektomi)",
        "MOP (vasektomi)",
        "Kondom",
        "Implan",
        "Suntik",
        "Pil",
    ]
    values = {row[1]: row[2] for row in table(sheet)}
    assert values["Jumlah PUS"] == 628
    assert values["Jumlah PUS peserta KB"] == 447
    assert values["Jumlah PUS bukan peserta KB"] == 181
    kb = build().kb_total  # the recap of the same reports
    for method, label in zip(METHODS, methods, strict=True):
        assert values[label] == kb.value(f"aktif_{method}")
    assert values["Hamil"] == kb.hamil and values["Tidak ingin anak lagi (TIAL)"] == kb.tial
    assert (
        values["Keluarga anggota BKB (Bina Keluarga Balita)"] == build().poktan_total["bkb"].anggota
    )
    notes = {row[1]: row[3] for row in table(sheet)}
    assert notes["Keluarga anggota BKR (Bina Keluarga Remaja)"] == "belum lapor"
    assert values["Keluarga anggota BKR (Bina Keluarga Remaja)"] is None, "not 0"
    assert notes["Keluarga anggota UPPKA"] == "tidak ada kelompok terdaftar"
    bpjs = "PUS peserta KB pengguna BPJS Kesehatan / JKN *"
    assert bpjs in values and values[bpjs] is None, "not asked in the chat: blank, labelled"


def test_portal_without_a_kb_report_is_blank_not_zero() -> None:
    book = read("portal", month([r for r in REPORTS if r.form != "kb"]))
    values = {row[1]: row[2] for row in table(book.worksheets[0])}
    assert values["Jumlah PUS"] is None and values["Suntik"] is None
    assert values["Jumlah PUS peserta KB"] is None


def test_register_rows_per_meeting_totals_and_sign_off() -> None:
    late_first = list(reversed(REPORTS))  # meetings listed by date whatever the order
    materi = report(
        3,
        "bkb",
        MONTH,
        {"anggota": 33, "hadir": 30, "kader_hadir": 2, "materi": "=HYPERLINK(\"x\")",
         "penyaji": "Kader", "pus_anggota": 22, "pus_kb": 19},
        date(2026, 11, 26),
    )  # fmt: skip
    book = read("register", month([*late_first, materi]))
    assert book.sheetnames == ["R.I.BKB BKB Ceria", "R.I.BKR BKR Harapan", "R.I.BKL BKL Bahagia"]
    sheet = book["R.I.BKB BKB Ceria"]
    assert_printable(sheet, landscape=True)
    assert rows(sheet)[0][0] == "REGISTER KEGIATAN KELOMPOK BKB (R/I/BKB)"
    head = labelled(sheet)
    assert head["Bulan lapor"][0] == "November 2026"
    assert head["Kode wilayah"][0] == "32.73.02.1001"
    assert head["Kode poktan"][0] == "BKB.01" and head["Nomor register kelompok"][0] == "12/III"
    assert head["Nama kelompok"][0] == "BKB Ceria"
    header = next(row for row in rows(sheet) if row[0] == "No")
    assert header[:9] == (
        "No", "Tanggal", "Kelompok umur *", "Materi", "Penyaji", "Diskusi / tanya jawab *",
        "Keluarga anggota", "Keluarga anggota hadir", "Kader hadir",
    )  # fmt: skip
    body = table(sheet)
    dates = [row[1] for row in body[:-1]]
    assert dates == [datetime(2026, 11, 5), datetime(2026, 11, 19), datetime(2026, 11, 26)]
    last = body[2]
    assert last[3] == '=HYPERLINK("x")' and last[4] == "Kader", "text stays text"
    assert last[2] is None and last[5] is None, "not asked: blank"
    total = body[-1]
    assert total[1] == "Jumlah (3 pertemuan)"
    # the recap's own counting: members from the last meeting, attendance summed
    assert total[6:8] == (33, 20 + 28 + 30)
    assert sheet.cell(len(rows(sheet)), 1).value == "(....................................)"
    texts = [v for row in rows(sheet) for v in row if isinstance(v, str)]
    assert "Ketua Kelompok" in texts and "Pembina (PLKB/PKB)" in texts
    assert any(v.startswith("....") and "tanggal" in v for v in texts), "tempat, tanggal"
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"


def test_register_codes_unset_are_blank_and_labelled() -> None:
    sheet = read("register", upstream.kampung_month(KAMPUNG, MONTH, UNITS, REPORTS, 3))[
        "R.I.BKR BKR Harapan"
    ]
    head = labelled(sheet)
    assert head["Kode wilayah"][0] is None and head["Kode poktan"][0] is None
    assert head["Nomor register kelompok"][0] is None
    body = table(sheet)
    assert body[0][1] == "belum lapor / tidak ada pertemuan"
    assert body[-1][1] == "Jumlah (0 pertemuan)" and set(body[-1][2:]) == {None}


def test_uppka_and_pikr_registers() -> None:
    units = [unit(7, "uppka", "UPPKA Maju"), unit(8, "pikr", "PIK-R Generasi")]
    reports = [
        report(7, "uppka", MONTH, {"anggota": 25, "hadir": 20, "pus_anggota": 18, "pus_kb": 12,
               "jenis_usaha": "Kerajinan", "modal": "Ya"}, date(2026, 11, 13)),
        report(8, "pikr", MONTH, {"anggota": 40, "hadir": 31, "materi": "NAPZA",
               "penyaji": "Konselor sebaya", "konseling": 4}, date(2026, 11, 19)),
    ]  # fmt: skip
    book = read("register", upstream.kampung_month(SUKAMAJU, MONTH, units, reports, 3))
    uppka, pikr = book.worksheets
    assert rows(uppka)[0][0] == "REGISTER KEGIATAN KELOMPOK UPPKA (R/I/UPPKA)"
    header = next(row for row in rows(uppka) if row[0] == "No")
    assert header[2:6] == (
        "Jenis usaha",
        "Dapat modal",
        "Keluarga anggota",
        "Keluarga anggota hadir",
    )
    assert header[6] == "Kader hadir *", "UPPKA's form does not ask it"
    assert table(uppka)[0][2:6] == ("Kerajinan", "Ya", 25, 20)
    assert rows(pikr)[0][0] == "REGISTER KEGIATAN KELOMPOK PIK-R (R/I/PIK-R)"
    row = dict(zip(next(r for r in rows(pikr) if r[0] == "No"), table(pikr)[0], strict=False))
    assert row["Remaja anggota"] == 40 and row["Konseling"] == 4 and row["Materi"] == "NAPZA"


def test_skdn_rows_per_posyandu_blanks_and_the_desa_total() -> None:
    book = read("skdn", month())
    [sheet] = book.worksheets
    assert sheet.title == "SKDN Sukamaju"
    assert_printable(sheet, landscape=True)
    assert rows(sheet)[0][0] == "REKAP SKDN POSYANDU (F2 / SIP FORMAT 6)"
    header = next(row for row in rows(sheet) if row[0] == "No")
    assert header[:11] == ("No", "Posyandu", "S", "K", "D", "N", "T", "O", "B", "2T", "BGM")
    assert header[11:17] == ("K/S %", "D/S %", "N/D %", "N/S %", "BGM/D %", "2T/D %")
    assert header[17:] == ("Ibu hamil datang", "Kader bertugas", "Keterangan")
    body = table(sheet)
    assert [row[1] for row in body] == [
        "Posyandu Melati",
        "Posyandu Mawar",
        "Jumlah desa/kelurahan",
    ]
    built = build()
    for row, (_, tally) in zip(body, [*built.posyandu, ("", built.posyandu_total)], strict=True):
        for key, value in zip(
            ("s", "k", "d", "n", "bgm"), (row[2], row[3], row[4], row[5], row[10]), strict=True
        ):
            assert value == tally.value(key)
        d_s = tally.value("d_s")
        assert isinstance(d_s, float) and row[12] == round(d_s, 1)
    melati, mawar, total = body
    assert melati[6:9] == (None, None, None), "T, O, B skipped: blank, not 0"
    assert melati[9] == 2 and mawar[9] is None and mawar[16] is None, "2T and 2T/D skipped"
    assert total[2:6] == (80, 78, 66, 56) and total[16] == 4.4


def test_skdn_posyandu_without_a_report_says_so() -> None:
    body = table(read("skdn", month(REPORTS[2:]))["SKDN Sukamaju"])
    assert body[0][1] == "Posyandu Melati" and body[0][-1] == "belum lapor"
    assert set(body[0][2:-1]) == {None}


def test_a_plkb_file_holds_every_kampung_one_sheet_each() -> None:
    mekarsari = KampungView(
        2,
        "mekarsari",
        "Kampung KB Mekarsari",
        "Cibeunying",
        "Asia/Makassar",
        {},
        kelurahan="Mekarsari",
    )
    other = [unit(21, "posyandu", "Posyandu Anggrek"), unit(22, "bkb", "BKB Ceria")]
    other = [replace(u, kampung_id=2, kampung_name=mekarsari.name) for u in other]
    second = upstream.kampung_month(
        mekarsari, MONTH, other,
        [report(21, "posyandu", MONTH, {"s": 10, "k": 10, "d": 9, "n": 7, "bgm": 0})], 3,
    )  # fmt: skip
    for layout, names in (
        ("portal", ["Portal Sukamaju", "Portal Mekarsari"]),
        ("skdn", ["SKDN Sukamaju", "SKDN Mekarsari"]),
        ("register", ["R.I.BKB BKB Ceria", "R.I.BKR BKR Harapan", "R.I.BKL BKL Bahagia",
                      "Mekarsari R.I.BKB BKB Ceria"]),
    ):  # fmt: skip
        book = read(layout, month(), second)
        assert book.sheetnames == names, layout
        for sheet in book.worksheets:
            assert_printable(sheet, landscape=layout != "portal")
    skdn = read("skdn", month(), second)["SKDN Mekarsari"]
    assert labelled(skdn)["Kampung KB"][0] == "Kampung KB Mekarsari"
    assert table(skdn)[0][2:6] == (10, 10, 9, 7)
    register = read("register", month(), second)["Mekarsari R.I.BKB BKB Ceria"]
    assert labelled(register)["Kampung KB"][0] == "Kampung KB Mekarsari"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("R/I/BKB", "BKB Ceria"), "R-I-BKB BKB Ceria"),
        (("Portal", "x" * 40), "Portal " + "x" * 24),
        (("a[b]:c*?",), "a-b--c--"),
    ],
)
def test_sheet_names_fit_and_never_repeat(parts: tuple[str, ...], expected: str) -> None:
    used: set[str] = set()
    assert sheet_name(used, *parts) == expected
    again = sheet_name(used, *parts)
    assert again != expected and len(again) <= 31 and again.endswith("(2)")
    assert sheet_name(used, *parts, qualifier="Mekarsari").startswith("Mekarsari ")


_NAMES = st.text(st.characters(codec="utf-8"), max_size=60)  # no lone surrogates, as in TOML


@settings(max_examples=300, deadline=None)
@given(names=st.lists(_NAMES, min_size=1, max_size=5), qualifier=_NAMES)
def test_every_sheet_name_is_one_a_workbook_takes(names: list[str], qualifier: str) -> None:
    """Unit and kelurahan names from config (an emoji in "Posyandu Mawar 🌹 ..." among
    them, which a workbook counts as two characters) always make a sheet name a workbook
    accepts, however often they repeat."""
    book = xlsxwriter.Workbook(io.BytesIO())
    used: set[str] = set()
    for name in names:
        book.add_worksheet(sheet_name(used, "R.I.BKB", name, qualifier=qualifier))
    book.close()
