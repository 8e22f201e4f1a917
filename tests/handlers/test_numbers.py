"""Counts are read exactly as the kader meant them, or asked again: never guessed."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from handlers import parse
from handlers.forms import DATABASE_INT_MAX, FORMS, FieldKind
from handlers.parse import DateProblem, NumberProblem

TODAY = date(2026, 11, 20)
counts = st.integers(min_value=0, max_value=100_000)


def words(n: int) -> str:
    """Indonesian number words from an independent library: "empat puluh lima"."""
    return str(num2words(n, lang="id"))


def with_thousands_dot(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(counts)
def test_digits_read_as_written(n: int) -> None:
    assert parse.read_count(str(n)) == n
    assert parse.read_count(with_thousands_dot(n)) == n
    assert parse.read_count(f"{n} orang") == n


@given(counts)
def test_number_words_apart_and_joined(n: int) -> None:
    apart = words(n)
    assert parse.read_count(apart) == n, apart
    assert parse.read_count(apart.replace(" ", "")) == n, apart.replace(" ", "")
    # Joined pairs, as typed in a hurry: "empatpuluh lima", "duaratus tigapuluh".
    pairs = apart.replace(" puluh", "puluh").replace(" ratus", "ratus").replace(" belas", "belas")
    assert parse.read_count(pairs) == n, pairs


@given(counts, st.integers(min_value=0), st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
def test_a_letter_inside_digits_is_never_a_number(n: int, at: int, letter: str) -> None:
    digits = str(n)
    position = at % (len(digits) + 1)
    typed = digits[:position] + letter + digits[position:]
    assert isinstance(parse.read_count(typed), NumberProblem), typed


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_a_date_is_never_a_count(day: date) -> None:
    for typed in (
        f"{day.day}/{day.month}",
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} nov",
        f"{day.day} Desember {day.year}",
    ):
        assert isinstance(parse.read_count(typed), NumberProblem), typed


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("empatpuluh", 40),
        ("empatpuluh lima", 45),
        ("seratus dua", 102),
        ("45 KK", 45),
        ("45 anak", 45),
        ("kosong", 0),
        ("1.000", 1000),
        ("l0", NumberProblem.LETTERS_IN_DIGITS),
        ("4o", NumberProblem.LETTERS_IN_DIGITS),
        ("10 nov", NumberProblem.DATE),
        ("12/11", NumberProblem.DATE),
        ("40 45", NumberProblem.TWO_NUMBERS),
        ("40-45", NumberProblem.TWO_NUMBERS),
        ("empat puluh 5", NumberProblem.TWO_NUMBERS),
        ("4,5", NumberProblem.DECIMAL),
        ("4.5", NumberProblem.DECIMAL),
        ("-3", NumberProblem.NEGATIVE),
        ("minus tiga", NumberProblem.NEGATIVE),
        ("sekitar 40", NumberProblem.APPROXIMATE),
        ("puluhan", NumberProblem.APPROXIMATE),
        ("45%", NumberProblem.PERCENT),
        ("empat lima", NumberProblem.AMBIGUOUS_WORDS),
        ("1,000", NumberProblem.AMBIGUOUS_COMMA),
        ("lima puluh dua puluh", NumberProblem.UNREADABLE),
        ("45 orangg", NumberProblem.UNREADABLE),
        ("-", NumberProblem.UNREADABLE),
        ("²", NumberProblem.UNREADABLE),
        ("1" * 30, NumberProblem.TOO_LONG),
        ("9" * 5000, NumberProblem.TOO_LONG),
        ("3000000000", NumberProblem.TOO_LONG),
    ],
)
def test_examples(typed: str, problem: int | NumberProblem) -> None:
    assert parse.read_count(typed) == problem


@given(st.text(max_size=300))
def test_any_text_reads_to_a_count_or_a_reason(typed: str) -> None:
    found = parse.read_count(typed)
    assert isinstance(found, NumberProblem) or 0 <= found < DATABASE_INT_MAX


def test_every_count_field_has_a_bound_that_fits_the_database() -> None:
    for spec in FORMS.values():
        for field_spec in spec.fields:
            if field_spec.kind is FieldKind.INT:
                assert field_spec.maximum is not None, (spec.name, field_spec.key)
                assert field_spec.maximum < DATABASE_INT_MAX


@pytest.mark.parametrize("typed", ["32/11", "31/2", "29/2", "0/11", "10/13", "32 nov", "32"])
def test_impossible_dates_are_refused_as_such(typed: str) -> None:
    assert parse.read_date(typed, TODAY) is DateProblem.IMPOSSIBLE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10/11", date(2026, 11, 10)),
        ("29/2/2024", date(2024, 2, 29)),
        ("12 nov 26", date(2026, 11, 12)),
        ("10.11.2026", date(2026, 11, 10)),
        ("31", date(2026, 10, 31)),
        ("25/11", date(2026, 11, 25)),  # still to come: the engine says so, not "a year ago"
    ],
)
def test_dates_in_figures(typed: str, expected: date) -> None:
    assert parse.read_date(typed, TODAY) == expected


@given(st.text(max_size=200))
def test_any_text_reads_to_a_date_or_a_reason(typed: str) -> None:
    found = parse.read_date(typed, TODAY)
    assert isinstance(found, DateProblem | date)
