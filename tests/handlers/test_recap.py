"""Recap numbers against hand-computed values on a fixed data set."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import openpyxl
import pytest
from PIL import Image

from handlers import recap, texts
from handlers.forms import FieldKind, FieldSpec, FormSpec, Rate, RecapSpec
from handlers.messages import split_text
from storage import KampungView, ReportView, UnitView

# The seed profile's numbers: families with toddlers, teenagers, elderly; PUS.
PROFILE = {"keluarga_balita": 239, "keluarga_remaja": 473, "keluarga_lansia": 356, "pus": 628}
KAMPUNG = KampungView(1, "sukamaju", "Kampung KB Sukamaju", "Cibeunying", "Asia/Jakarta", PROFILE)


def unit(unit_id: int, kind: str, name: str) -> UnitView:
    return UnitView(unit_id, f"u{unit_id}", kind, name, "", None, 1, KAMPUNG.name)


UNITS = [
    unit(1, "posyandu", "Posyandu Melati"),
    unit(2, "posyandu", "Posyandu Mawar"),
    unit(3, "bkb", "BKB Ceria"),
    unit(4, "bkr", "BKR Harapan"),
    unit(5, "bkl", "BKL Bahagia"),
    unit(6, "kb", "PPKBD Sukamaju"),
]
ON_TIME = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
LATE = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
_ids = iter(range(1, 100))


def report(
    unit_id: int,
    form: str,
    period: str,
    values: dict[str, int | str],
    day: date | None = None,
    first: datetime = ON_TIME,
) -> ReportView:
    return ReportView(next(_ids), unit_id, form, period, day, 1, first, values, first)


REPORTS = [
    report(1, "posyandu", "2026-11", {"s": 50, "k": 48, "d": 45, "n": 40, "bgm": 1, "t2": 2}),
    report(2, "posyandu", "2026-11", {"s": 30, "k": 30, "d": 21, "n": 16, "bgm": 0}),
    report(1, "posyandu", "2026-10", {"s": 50, "k": 48, "d": 40, "n": 30, "bgm": 0}),
    report(
        3,
        "bkb",
        "2026-11",
        {"anggota": 30, "hadir": 20, "pus_anggota": 20, "pus_kb": 15},
        date(2026, 11, 5),
    ),
    report(
        3,
        "bkb",
        "2026-11",
        {"anggota": 32, "hadir": 28, "pus_anggota": 22, "pus_kb": 18},
        date(2026, 11, 19),
    ),
    report(5, "bkl", "2026-11", {"anggota": 18, "hadir": 16}, date(2026, 11, 12)),
    report(
        6,
        "kb",
        "2026-11",
        {
            "pus": 628,
            "aktif_iud": 20,
            "aktif_mow": 5,
            "aktif_mop": 2,
            "aktif_kondom": 31,
            "aktif_implan": 40,
            "aktif_suntik": 200,
            "aktif_pil": 149,
            "baru_suntik": 10,
            "baru_pil": 5,
            "hamil": 20,
            "ias": 30,
            "iat": 50,
            "tial": 81,
        },
        first=LATE,
    ),
]


def build() -> recap.Recap:
    return recap.build_recap(KAMPUNG, "2026-11", UNITS, REPORTS, {4: ["Bu Ani"]}, 3)


def test_indicators() -> None:
    built = build()
    total = built.posyandu_total
    assert (total.s, total.k, total.d, total.n, total.bgm) == (80, 78, 66, 56, 1)
    assert total.t2.value == 2 and round(total.t2_d or 0, 1) == 4.4  # Mawar skipped 2T
    assert round(total.k_s or 0, 1) == 97.5
    assert round(total.d_s or 0, 1) == 82.5
    assert round(total.n_d or 0, 1) == 84.8
    assert round(total.n_s or 0, 1) == 70.0
    assert round(total.bgm_d or 0, 1) == 1.5
    bkb = built.poktan_total["bkb"]
    assert (bkb.meetings, bkb.anggota, bkb.hadir) == (2, 32, 48)
    assert round(bkb.attendance or 0, 1) == 77.4 and round(bkb.pus_on_kb or 0, 1) == 81.8
    assert round(built.participation("bkb") or 0, 1) == 13.4
    kb = built.kb_total
    assert (kb.pus, kb.aktif_total, kb.baru_total, kb.unmet_need) == (628, 447, 15, 131)
    assert round(kb.cpr or 0, 1) == 71.2  # the reference profile: PUS 628, on KB 447
    assert round(kb.mkjp or 0, 1) == 15.0
    done = built.completeness
    assert done.expected == {"posyandu": 2, "bkb": 1, "bkr": 1, "bkl": 1, "kb": 1}
    assert sum(done.reported.values()) == 5
    assert [m.unit for m in done.missing] == ["BKR Harapan"]
    assert (done.on_time, done.reports) == (5, 6)
    assert [p.period for p in built.trend] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    assert built.trend[4].d_s == 80.0 and built.trend[0].d_s is None


def test_text_reads_in_indonesian_formats() -> None:
    text = recap.recap_text(build())
    for expected in (
        "📊 Rekap Kampung KB Sukamaju\nNovember 2026",
        "S 80 · K 78 · D 66 · N 56 · BGM 1",
        "Cakupan program (K/S): 97,5%",
        "Partisipasi masyarakat (D/S): 82,5% (+2,5 poin dari bulan lalu), target 80,0%",
        "Kelangsungan penimbangan (D/K): 84,6%",
        "Keberhasilan program (N/D): 84,8% (+9,8 poin dari bulan lalu)",
        "BGM/D: 1,5%",
        "• Posyandu Mawar: D/S 70,0%, N/D 76,2%, BGM 0",
        "BKB: 1 dari 1 kelompok bertemu (2 pertemuan)",
        "anggota 32, total hadir 48 dari semua pertemuan (77,4%), PUS ber-KB 81,8%, "
        "partisipasi 13,4%",
        "Belum ada laporan BKR untuk November 2026.",
        "2T/D: 4,4% (hanya 1 dari 2 posyandu yang mengisi)",
        "PUS 628, peserta KB aktif 447, CPR 71,2%",
        "Metode: IUD 20, MOW 5, MOP 2, kondom 31, implan 40, suntik 200, pil 149; MKJP 15,0%",
        "Unmet need (IAT + TIAL): 131 (20,9% dari PUS)",
        "Kelengkapan: 5 dari 6 unit lapor (83,3%); tepat waktu 83,3%",
        "• BKR Harapan (Bu Ani)",
    ):
        assert expected in text, expected
    assert all(len(piece) < 4096 for piece in split_text(text, 4000))
    assert recap.number(1234) == "1.234" and recap.percent(None) == "-"


def test_spreadsheet_reads_back() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(build())))
    assert workbook.sheetnames == [
        "Ringkasan",
        "Posyandu",
        "BKB",
        "BKR",
        "BKL",
        "KB",
        "Belum lapor",
        "Pemeriksaan",
    ]
    summary = {row[0]: row[1] for row in workbook["Ringkasan"].iter_rows(values_only=True)}
    assert summary["D/S %"] == 82.5 and summary["CPR %"] == 71.2 and summary["PUS"] == 628
    posyandu = list(workbook["Posyandu"].iter_rows(values_only=True))
    assert posyandu[1][:6] == ("Posyandu Melati", 50, 48, 45, 40, 1)
    assert posyandu[2][0] == "Posyandu Mawar"
    kb = list(workbook["KB"].iter_rows(values_only=True))
    assert kb[1][0] == "PPKBD Sukamaju" and kb[1][1] == 628
    missing = list(workbook["Belum lapor"].iter_rows(values_only=True))
    assert missing[1] == ("BKR Harapan", "BKR", "Bu Ani")


def test_chart_is_a_png_of_the_expected_size() -> None:
    png = recap.recap_chart(build().trend, "Kampung KB Sukamaju")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (800, 450)


def test_district_rows_per_kampung() -> None:
    built = build()
    other = recap.build_recap(
        KampungView(2, "mekarsari", "Kampung KB Mekarsari", "Cibeunying", "Asia/Jakarta", {}),
        "2026-11",
        [],
        [],
        {},
        3,
    )
    text = recap.district_text("Cibeunying", "2026-11", [built, other])
    assert "📊 Rekap Kecamatan Cibeunying\nNovember 2026" in text
    assert "• Kampung KB Sukamaju: D/S 82,5%, N/D 84,8%" in text and "lapor 5/6" in text
    assert "• Kampung KB Mekarsari: D/S -, N/D -, hadir poktan -, CPR -, lapor 0/0" in text
    book = openpyxl.load_workbook(io.BytesIO(recap.district_xlsx([built, other])))
    rows = list(book["Ringkasan"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Kampung KB Sukamaju", "Kampung KB Mekarsari"]


# --- skipped answers and missing reports ---------------------------------------------------

SKIPPING_UNITS = [
    unit(11, "posyandu", "Posyandu Melati"),
    unit(12, "posyandu", "Posyandu Mawar"),
    unit(13, "posyandu", "Posyandu Kenanga"),  # no report this month
    unit(14, "bkl", "BKL Bahagia"),
    unit(15, "bkl", "BKL Sehat"),
]
SKIPPING_REPORTS = [
    report(
        11,
        "posyandu",
        "2026-11",
        {"s": 50, "k": 48, "d": 45, "n": 40, "t": 3, "o": 1, "b": 1, "t2": 2, "bgm": 1},
    ),
    # T, O, B and 2T skipped: absent, not 0.
    report(12, "posyandu", "2026-11", {"s": 30, "k": 30, "d": 21, "n": 16, "bgm": 0}),
    report(
        14,
        "bkl",
        "2026-11",
        {"anggota": 18, "hadir": 16, "pus_anggota": 4, "pus_kb": 2, "lansia_mandiri": 12},
        date(2026, 11, 12),
    ),
    report(
        15,
        "bkl",
        "2026-11",
        {"anggota": 10, "hadir": 9, "pus_anggota": 2, "pus_kb": 1},
        date(2026, 11, 13),
    ),
]


def build_skipping() -> recap.Recap:
    return recap.build_recap(KAMPUNG, "2026-11", SKIPPING_UNITS, SKIPPING_REPORTS, {}, 3)


def test_skipped_answers_are_left_out_of_both_sides() -> None:
    built = build_skipping()
    total = built.posyandu_total
    # 2T/D over the posyandu that answered 2T only: Melati's 2 of its D 45 (Mawar's D 21
    # does not count), 4.444... %; counting it would give 2 / 66 = 3.0 %.
    assert total.t2_d is not None and round(total.t2_d, 1) == 4.4
    assert (total.t.value, total.o.value, total.b.value, total.t2.value) == (3, 1, 1, 2)
    assert total.t2.reports == 1 and total.reports == 2
    [(_, melati), (_, mawar), (_, kenanga)] = built.posyandu
    assert melati.t2_d is not None and round(melati.t2_d, 1) == 4.4
    assert mawar.t2.value is None and mawar.t2_d is None and mawar.t.value is None
    assert kenanga.reports == 0
    bkl = built.poktan_total["bkl"]
    assert bkl.lansia_mandiri.value == 12 and bkl.lansia_pendamping.value is None


def test_skipped_answers_read_as_dash_in_text_and_spreadsheet() -> None:
    built = build_skipping()
    text = recap.recap_text(built)
    assert "T 3 · O 1 · B 1 · 2T 2" in text
    assert "2T/D: 4,4% (hanya 1 dari 2 posyandu yang mengisi)" in text
    assert "• Posyandu Mawar: D/S 70,0%, N/D 76,2%, BGM 0" in text
    assert "• Posyandu Kenanga: belum lapor" in text
    assert "lansia mandiri 12, butuh pendamping -" in text

    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(built)))
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["2T/D %"] == 4.4 and summary["T"] == 3 and summary["2T"] == 2
    rows = list(book["Posyandu"].iter_rows(values_only=True))
    header = rows[0]
    melati, mawar = (dict(zip(header, row, strict=True)) for row in rows[1:3])
    assert (melati["T"], melati["O"], melati["B"], melati["2T"]) == (3, 1, 1, 2)
    assert melati["2T/D %"] == 4.4
    for key in ("T", "O", "B", "2T", "2T/D %"):
        assert mawar[key] == "-", key  # skipped: never 0
    assert (mawar["S"], mawar["D"]) == (30, 21)
    assert rows[3][:2] == ("Posyandu Kenanga", "belum lapor")
    assert all(cell is None for cell in rows[3][2:]), "no zeros for a unit without a report"
    bkl = list(book["BKL"].iter_rows(values_only=True))
    columns = {name: index for index, name in enumerate(bkl[0])}
    assert bkl[1][columns["Lansia mandiri"]] == 12
    assert bkl[1][columns["Lansia butuh pendamping"]] == "-"
    assert bkl[2][columns["Lansia mandiri"]] == "-"


def test_a_month_without_reports_says_so() -> None:
    built = recap.build_recap(KAMPUNG, "2026-12", UNITS, REPORTS, {}, 3)
    text = recap.recap_text(built)
    assert "S 0" not in text and "PUS 0" not in text and "anggota 0" not in text
    for form in ("Posyandu", "BKB", "BKR", "BKL", "KB"):
        assert f"Belum ada laporan {form} untuk Desember 2026." in text, form
    assert "• Posyandu Melati: belum lapor" in text

    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(built)))
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    for key in ("S", "K", "D", "N", "BGM", "T", "2T", "PUS", "Peserta KB aktif"):
        assert summary[key] == "-", key
    posyandu = list(book["Posyandu"].iter_rows(values_only=True))
    assert [row[:2] for row in posyandu[1:]] == [
        ("Posyandu Melati", "belum lapor"),
        ("Posyandu Mawar", "belum lapor"),
    ]
    kb = list(book["KB"].iter_rows(values_only=True))
    assert kb[1][:3] == ("PPKBD Sukamaju", "belum lapor", None)

    district = recap.district_text("Cibeunying", "2026-12", [built])
    assert "• Kampung KB Sukamaju: belum lapor (0 dari 6 unit)" in district
    rows = list(
        openpyxl.load_workbook(io.BytesIO(recap.district_xlsx([built])))["Ringkasan"].iter_rows(
            values_only=True
        )
    )
    cells = dict(zip(rows[0], rows[1], strict=True))
    for key in ("S", "D", "N", "BGM", "PUS", "PA", "PB"):
        assert cells[key] == "-", key
    assert cells["Kelengkapan %"] == 0


# --- indicators as data ---------------------------------------------------------------------

# A form the bot does not have: a spec and its sentences are all the recap needs of it.
UPPKA = FormSpec(
    name="uppka",
    per_meeting=True,
    fields=(
        FieldSpec("tanggal", FieldKind.DATE, "poktan.tanggal"),
        FieldSpec("anggota", FieldKind.INT, "poktan.anggota"),
        FieldSpec("modal", FieldKind.INT, "uppka.modal", optional=True),
    ),
    recap=RecapSpec(
        figures=(Rate("modal_share", "modal_share", "modal", "anggota"),),
        stock=("anggota", "modal"),
        district=("modal_share",),
    ),
)


def test_a_new_form_gets_its_recap_rows_and_columns_from_its_spec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(texts.FORM_NAMES, "uppka", "UPPKA")
    monkeypatch.setitem(
        texts.RECAP_LINES, "uppka", ("{form}: dapat modal {modal_share}{modal_share_answered}",)
    )
    monkeypatch.setitem(texts.RECAP_LABELS, "modal_share", "Dapat modal")
    units = [
        *UNITS,
        unit(7, "uppka", "UPPKA Maju"),
        unit(8, "uppka", "UPPKA Sejahtera"),
        unit(9, "uppka", "UPPKA Baru"),
    ]
    reports = [
        *REPORTS,
        report(7, "uppka", "2026-11", {"anggota": 20, "modal": 5}, date(2026, 11, 9)),
        report(8, "uppka", "2026-11", {"anggota": 30}, date(2026, 11, 9)),  # skipped modal
    ]
    forms = {**recap.recapped_forms(), "uppka": UPPKA}
    built = recap.build_recap(KAMPUNG, "2026-11", units, reports, {}, 3, forms=forms)

    # 5 of the 20 members who answered, not of 50: the skip is out of both sides.
    text = recap.recap_text(built)
    assert "UPPKA: dapat modal 25,0% (hanya 1 dari 2 laporan yang mengisi)" in text
    assert "Kelengkapan: 7 dari 9 unit lapor" in text and "• UPPKA Baru (" in text
    before = recap.recap_text(build())
    assert text.startswith(before.split("Kelengkapan")[0])  # the other forms as they were

    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(built)))
    assert book.sheetnames[-3:] == ["UPPKA", "Belum lapor", "Pemeriksaan"]
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["Dapat modal %"] == 25.0 and summary["D/S %"] == 82.5
    assert list(book["UPPKA"].iter_rows(values_only=True)) == [
        ("Unit", "Dapat modal %"),
        ("UPPKA Maju", 25.0),
        ("UPPKA Sejahtera", "-"),
        ("UPPKA Baru", "belum lapor"),
    ]
    district = openpyxl.load_workbook(io.BytesIO(recap.district_xlsx([built])))
    rows = list(district["Ringkasan"].iter_rows(values_only=True))
    assert dict(zip(rows[0], rows[1], strict=True))["Dapat modal %"] == 25.0

    # The project's own UPPKA spec, instead of the one made here, shows its own lines.
    monkeypatch.undo()
    own = recap.recap_text(recap.build_recap(KAMPUNG, "2026-11", units, reports, {}, 3))
    assert "UPPKA: 2 dari 3 kelompok bertemu (2 pertemuan)" in own


def test_a_recap_spec_that_shows_an_unknown_figure_is_refused() -> None:
    broken = FormSpec(
        name="broken",
        per_meeting=False,
        fields=UPPKA.fields,
        recap=RecapSpec(figures=UPPKA.recap.figures, units=("modal_share", "nope")),
    )
    with pytest.raises(ValueError, match="'nope'"):
        recap.build_recap(KAMPUNG, "2026-11", [], [], {}, 3, forms={"uppka": broken})


def test_uppka_and_pikr_in_the_recap_against_their_profile_numbers() -> None:
    """Participation: UPPKA members over all families (`keluarga`), PIK-R members over the
    teenagers (`remaja`); the seed profile has 1.602 KK and 562 remaja."""
    kampung = replace(KAMPUNG, profile={**PROFILE, "keluarga": 1602, "remaja": 562})
    units = [*UNITS, unit(7, "uppka", "UPPKA Maju"), unit(8, "pikr", "PIK-R Generasi Berencana")]
    reports = [
        *REPORTS,
        report(
            7,
            "uppka",
            "2026-11",
            {"anggota": 25, "hadir": 20, "pus_anggota": 18, "pus_kb": 12, "modal": "Ya"},
            date(2026, 11, 9),
        ),
        report(
            8, "pikr", "2026-11", {"anggota": 40, "hadir": 31, "konseling": 4}, date(2026, 11, 7)
        ),
        report(
            8, "pikr", "2026-11", {"anggota": 41, "hadir": 30, "konseling": 2}, date(2026, 11, 21)
        ),
    ]
    built = recap.build_recap(kampung, "2026-11", units, reports, {}, 3)
    text = recap.recap_text(built)
    assert "UPPKA: 1 dari 1 kelompok bertemu (1 pertemuan)" in text
    assert (
        "anggota 25, total hadir 20 dari semua pertemuan (80,0%), PUS ber-KB 66,7%, "
        "partisipasi 1,6%" in text
    )
    assert "PIK-R: 1 dari 1 kelompok bertemu (2 pertemuan)" in text
    # Members from the last meeting (41), attendance over both (61 of 81), counselling summed.
    assert (
        "anggota 41, total hadir 61 dari semua pertemuan (75,3%), konseling 6, partisipasi 7,3%"
        in text
    )
    assert "Kelengkapan: 7 dari 8 unit lapor" in text
    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(built)))
    assert {"UPPKA", "PIK-R"} <= set(book.sheetnames)
    rows = list(book["PIK-R"].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Unit"] == "PIK-R Generasi Berencana" and row["Pertemuan"] == 2


def test_kegiatan_are_listed_in_the_text_and_their_own_sheet() -> None:
    pokja = unit(9, "pokja", "Pokja Kampung KB Sukamaju")
    rapat: dict[str, int | str] = {
        "judul": "Rapat koordinasi pokja",
        "kategori": "Rapat pokja: koordinasi",
        "tempat": "Balai RW 02",
        "sasaran": 18,
        "foto": "4,5",
    }
    senam = {**rapat, "judul": "Senam lansia", "kategori": "Fungsi perlindungan", "sasaran": 40}
    del senam["foto"]  # no photos: skipped
    reports = [
        *REPORTS,
        report(9, "kegiatan", "2026-11", senam, date(2026, 11, 14)),
        report(9, "kegiatan", "2026-11", rapat, date(2026, 11, 3)),
        report(9, "kegiatan", "2026-10", rapat, date(2026, 10, 30)),  # last month: not listed
    ]
    built = recap.build_recap(KAMPUNG, "2026-11", [*UNITS, pokja], reports, {}, 3)
    text = recap.recap_text(built)
    assert (
        "Kegiatan\n"
        "• 3 Nov 2026: Rapat koordinasi pokja (Rapat pokja: koordinasi), Balai RW 02, "
        "sasaran 18, 2 foto\n"
        "• 14 Nov 2026: Senam lansia (Fungsi perlindungan), Balai RW 02, sasaran 40, 0 foto"
    ) in text
    assert "Kelengkapan: 5 dari 6 unit lapor" in text, "kegiatan owe nothing"
    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(built)))
    rows = list(book["Kegiatan"].iter_rows(values_only=True))
    assert rows[0] == ("Tanggal", "Judul", "Kategori", "Tempat", "Sasaran", "Foto")
    assert rows[1] == (
        "3 Nov 2026",
        "Rapat koordinasi pokja",
        "Rapat pokja: koordinasi",
        "Balai RW 02",
        18,
        2,
    )
    quiet = recap.build_recap(KAMPUNG, "2026-11", [*UNITS, pokja], REPORTS, {}, 3)
    assert "Belum ada laporan Kegiatan untuk November 2026." in recap.recap_text(quiet)


def test_participation_without_reports_is_a_dash_not_zero() -> None:
    """Found by trying: members over the profile's families read 0 % in a month without a
    meeting, although nothing was reported."""
    quiet = recap.build_recap(KAMPUNG, "2026-11", UNITS, [], {}, 3)
    assert quiet.participation("bkb") is None
    book = openpyxl.load_workbook(io.BytesIO(recap.recap_xlsx(quiet)))
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["BKB: Partisipasi %"] == "-"
