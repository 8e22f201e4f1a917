"""Golden tests for reading what kader type."""

from __future__ import annotations

from datetime import date

import pytest

from handlers import parse
from handlers.conversation import parse_method_list

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", 45),
        (" 45 ", 45),
        ("45 orang", 45),
        ("45 balita", 45),
        ("ada 45", 45),
        ("1.234", 1234),
        ("0", 0),
        ("nol", 0),
        ("tidak ada", 0),
        ("satu", 1),
        ("sepuluh", 10),
        ("sebelas", 11),
        ("dua belas", 12),
        ("empat puluh lima", 45),
        ("Empat Puluh Lima orang", 45),
        ("seratus", 100),
        ("seratus dua puluh tiga", 123),
        ("dua ratus lima puluh", 250),
        ("seribu dua ratus", 1200),
        ("tiga ribu empat ratus lima", 3405),
    ],
)
def test_numbers(text: str, expected: int) -> None:
    assert parse.parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "banyak", "-5", "4,5", "45 atau 46", "lima lima", "puluh", "1.23", "lima orang puluh"],
)
def test_unreadable_numbers(text: str) -> None:
    assert parse.parse_int(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hari ini", date(2026, 11, 20)),
        ("Hari Ini", date(2026, 11, 20)),
        ("kemarin", date(2026, 11, 19)),
        ("kemaren", date(2026, 11, 19)),
        ("12/11", date(2026, 11, 12)),
        ("12-11-2026", date(2026, 11, 12)),
        ("12/11/2026", date(2026, 11, 12)),
        ("12 Nov", date(2026, 11, 12)),
        ("12 nop", date(2026, 11, 12)),
        ("12 November 2026", date(2026, 11, 12)),
        ("tgl 12", date(2026, 11, 12)),
        ("tanggal 5 Oktober", date(2026, 10, 5)),
        ("25", date(2026, 10, 25)),  # the 25th has not come yet this month
        ("senin", date(2026, 11, 16)),
        ("selasa lalu", date(2026, 11, 17)),
        ("2 hari lalu", date(2026, 11, 18)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse.parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["", "besok pagi", "ok", "tiga puluh", "xyz", "31/02"])
def test_unreadable_dates(text: str) -> None:
    parsed = parse.parse_date(text, TODAY)
    assert parsed is None or (text == "besok pagi" and parsed > TODAY)


@pytest.mark.parametrize("text", ["ya", "Iya", "betul", "ok", "oke", "Ya, benar", "y", "sip"])
def test_yes(text: str) -> None:
    assert parse.parse_yes_no(text) is True


@pytest.mark.parametrize("text", ["tidak", "nggak", "gak", "Tidak.", "n", "bukan"])
def test_no(text: str) -> None:
    assert parse.parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["mungkin", "", "45"])
def test_neither_yes_nor_no(text: str) -> None:
    assert parse.parse_yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", "2026-10"),
        ("10/2026", "2026-10"),
        ("oktober", "2026-10"),
        ("Desember", "2025-12"),
        ("okt 2025", "2025-10"),
        ("bulan", None),
        ("2026-13", None),
    ],
)
def test_months(text: str, expected: str | None) -> None:
    assert parse.parse_month(text, TODAY) == expected


def test_commands() -> None:
    assert parse.parse_command("/lapor") == parse.Command("lapor", "")
    assert parse.parse_command("/start@KaderBot AB12CD34") == parse.Command("start", "AB12CD34")
    assert parse.parse_command("BATAL") == parse.Command("batal", "")
    assert parse.parse_command("daftar ab12cd34") == parse.Command("start", "ab12cd34")
    assert parse.parse_command("batal saja ya") is None  # a sentence, not a command
    assert parse.parse_command("45") is None
    assert parse.registration_code("/start ab12cd34") == "AB12CD34"
    assert parse.registration_code("/start") is None
    assert parse.registration_code("/start kode saya") is None


def test_method_lists() -> None:
    assert parse_method_list("spiral 20 susuk 40 suntik 200 pil 150 kondom 31") == {
        "iud": 20,
        "implan": 40,
        "suntik": 200,
        "pil": 150,
        "kondom": 31,
    }
    assert parse_method_list("Steril wanita: 3, steril pria 1, KB tanam 7") == {
        "mow": 3,
        "mop": 1,
        "implan": 7,
    }
    assert parse_method_list("20 spiral dan 10 pil") == {"iud": 20, "pil": 10}
    assert parse_method_list("spiral dua puluh susuk empat puluh lima") == {"iud": 20, "implan": 45}
    assert "tidak mengenali 'jamu'" in str(parse_method_list("spiral 20 jamu 5"))
    assert "dua kali" in str(parse_method_list("spiral 20 iud 5"))
    assert isinstance(parse_method_list("spiral"), str)
