"""One-message reports: parsed, then the same rules, warnings and summary as the guided form."""

from __future__ import annotations

from datetime import date

from handlers.quick import QuickReport, parse_quick_report
from tests.handlers.test_conversation import (
    BEFORE_DEADLINE,
    CERIA,
    MELATI,
    PPKBD,
    chat,
    correction_report,
    unit,
)


def test_parsing() -> None:
    assert parse_quick_report("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5") == QuickReport(
        "posyandu",
        "10/11",
        {"s": 50, "k": 48, "d": 45, "n": 40, "bgm": 1, "bumil": 6, "kader_hadir": 5},
    )
    parsed = parse_quick_report("Posyandu 12 nov s 50 k=48 2T 1 catatan Timbangan Rusak")
    assert isinstance(parsed, QuickReport)
    assert parsed.when == "12 nov" and parsed.values["t2"] == 1
    assert parsed.values["catatan"] == "Timbangan Rusak"
    parsed = parse_quick_report(
        "bkb kemarin anggota 30 hadir 25 penyaji sub ppkbd materi gizi anak"
    )
    assert isinstance(parsed, QuickReport)
    assert parsed.values["penyaji"] == "Sub PPKBD" and parsed.values["materi"] == "gizi anak"
    parsed = parse_quick_report("kb oktober pus 100 spiral 20 pil 30 baru pil 2 hamil 5")
    assert isinstance(parsed, QuickReport)
    assert parsed.values == {
        "pus": 100,
        "aktif_iud": 20,
        "aktif_pil": 30,
        "baru_pil": 2,
        "hamil": 5,
    }
    assert parse_quick_report("posyandu") is None and parse_quick_report("halo semua") is None
    assert "tidak mengenali 'x9'" in str(parse_quick_report("posyandu 10/11 S50 x9"))
    assert "dua kali" in str(parse_quick_report("posyandu 10/11 S50 S51"))


def test_complete_report_goes_straight_to_the_summary() -> None:
    conversation = chat(MELATI)
    reply = conversation.say("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5")
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    assert "Tanggal: 10 Nov 2026" in reply.text and "T: -" in reply.text
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.meeting_date == date(2026, 11, 10) and saved.values["d"] == 45
    assert "t" not in saved.values


def test_missing_fields_are_asked_and_rules_apply() -> None:
    conversation = chat(MELATI)
    reply = conversation.say("posyandu kemarin S50 K60 D45 N40 bumil6 kader5")
    assert "K tidak boleh lebih dari S (50)" in reply.text and "K: balita" in reply.text
    reply = conversation.say("48")
    assert "BGM" in reply.text, "the missing field is asked next"
    reply = conversation.say("2")
    assert "Ringkasan" in reply.text and "K: 48" in reply.text and "BGM: 2" in reply.text


def test_missing_date_is_asked_and_warnings_are_shown_in_the_summary() -> None:
    conversation = chat(MELATI)
    reply = conversation.say("posyandu S50 K40 D45 N40 BGM1 bumil6 kader5")
    assert "Tanggal hari buka posyandu" in reply.text
    reply = conversation.say("10/11")
    assert "Ringkasan" in reply.text
    assert (
        "Mohon periksa sebelum menyimpan" in reply.text
        and "D (45) lebih besar dari K (40)" in reply.text
    )


def test_unknown_unit_kind_and_choice_of_unit() -> None:
    reply = chat(CERIA).say("posyandu 10/11 S50")
    assert "tidak terdaftar di unit Posyandu" in reply.text
    second = unit(8, "posyandu", "Posyandu Mawar")
    conversation = chat(MELATI, second, CERIA)
    reply = conversation.say("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5")
    assert [c.label for c in reply.choices] == ["Posyandu Melati", "Posyandu Mawar"]
    reply = conversation.press("Posyandu Mawar")
    assert "Ringkasan laporan Posyandu Mawar" in reply.text


def test_bkb_and_kb_in_one_line() -> None:
    conversation = chat(CERIA)
    reply = conversation.say(
        "bkb kemarin anggota 30 hadir 25 kader 3 pus 20 puskb 15 penyaji kader materi gizi balita"
    )
    assert "Ringkasan laporan BKB Ceria" in reply.text and "Materi: gizi balita" in reply.text
    conversation = chat(PPKBD, today=BEFORE_DEADLINE)
    reply = conversation.say(
        "kb oktober pus 100 spiral 10 mow 0 mop 0 kondom 5 susuk 15 suntik 20 pil 10 "
        "baru iud 0 mow 0 mop 0 kondom 0 implan 0 suntik 2 pil 1 hamil 5 ias 5 iat 10 tial 20"
    )
    assert (
        "Ringkasan laporan KB – PPKBD Sukamaju" in reply.text
        and "Bulan: Oktober 2026" in reply.text
    )
    reply = conversation.say("kb november pus 1")  # not idle: typed at the summary
    assert "pilih salah satu" in reply.text


def test_second_report_in_one_line_is_a_correction_with_the_new_numbers() -> None:
    conversation = chat(MELATI, reports=(correction_report(),))
    reply = conversation.say("posyandu 12/11 S52 K48 D45 N40 BGM1 bumil6 kader5")
    assert "Sudah ada laporan Posyandu Melati" in reply.text
    reply = conversation.press("Ya, perbaiki")
    assert "(perbaikan)" in reply.text and "S: 52" in reply.text
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.correction_of == 5 and saved.values["s"] == 52


def test_a_choice_is_named_by_its_words_as_in_the_guided_form() -> None:
    """Found by trying: only the exact option text was read ("usaha makanan" refused)."""
    cases = {
        "uppka kemarin usaha makanan modal ya": ("jenis_usaha", "Makanan/minuman"),
        "uppka kemarin usaha pertanian": ("jenis_usaha", "Pertanian/peternakan"),
        "pikr kemarin materi napza": ("materi", "TRIAD KRR: NAPZA"),
        "pikr kemarin materi hiv/aids konseling 2": ("materi", "TRIAD KRR: HIV/AIDS"),
        "bkb kemarin penyaji sub ppkbd materi gizi anak": ("penyaji", "Sub PPKBD"),
        "bkb kemarin penyaji ppkbd materi gizi anak": ("penyaji", "PPKBD"),
        "bkb kemarin penyaji kader kader 3": ("penyaji", "Kader"),
    }
    for line, (key, option) in cases.items():
        parsed = parse_quick_report(line)
        assert isinstance(parsed, QuickReport) and parsed.values[key] == option, line
    parsed = parse_quick_report("bkb kemarin penyaji kader kader 3")
    assert isinstance(parsed, QuickReport) and parsed.values["kader_hadir"] == 3


def test_a_choice_that_cannot_be_read_says_what_can_be_chosen() -> None:
    assert parse_quick_report("uppka kemarin usaha jasa modal mungkin") == (
        "Pilihan untuk 'modal' belum terbaca. Yang bisa dipilih: Ya, Tidak."
    )
    ending = str(parse_quick_report("pikr kemarin anggota 40 penyaji"))
    assert ending.startswith("Pilihan untuk 'penyaji' belum terbaca")
    twice = str(parse_quick_report("pikr kemarin penyaji plkb konseling 4 penyaji lainnya"))
    assert "'penyaji' disebut dua kali" in twice
