"""A printable sheet: the cells of the upstream layouts, and A4 print settings on each.

Every cell goes through one writer: text is always a text cell (never a formula, however
it starts), a count a number, a rate a number with one decimal, a date a date, and None a
blank cell; the workbook is `handlers.sheets.new_workbook`, which keeps strings strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

A4 = 9  # the paper size code of A4 in a spreadsheet's page setup
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class Sheet:
    """One worksheet written row by row; `row` is the next row to write."""

    def __init__(self, book: xlsxwriter.Workbook, name: str) -> None:
        self.sheet: Worksheet = book.add_worksheet(name)
        self.row = 0
        self._title = book.add_format({"bold": True, "font_size": 12})
        self._bold = book.add_format({"bold": True})
        self._header = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#DDDDDD"}
        )
        self._cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        self._rate = book.add_format({"border": 1, "num_format": "0.0"})
        self._date = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
        self._total = book.add_format({"border": 1, "bold": True})
        self._total_rate = book.add_format({"border": 1, "bold": True, "num_format": "0.0"})

    def title(self, text: str) -> None:
        self.sheet.write_string(self.row, 0, text, self._title)
        self.row += 1

    def field(self, label: str, value: str | None) -> None:
        """A header line: label, then the value (blank where unset: filled in by hand)."""
        self.sheet.write_string(self.row, 0, label, self._bold)
        self._write(self.row, 1, value, None)
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def header(self, labels: Sequence[str]) -> int:
        """The table's column header; its row is returned (repeated on every printed page)."""
        for column, label in enumerate(labels):
            self.sheet.write_string(self.row, column, label, self._header)
        self.row += 1
        return self.row - 1

    def cells(self, values: Sequence[object], total: bool = False) -> None:
        """A table row; a float is a rate, shown with one decimal."""
        for column, value in enumerate(values):
            if isinstance(value, float):
                self._write(self.row, column, value, self._total_rate if total else self._rate)
            elif isinstance(value, date):
                self._write(self.row, column, value, self._date)
            else:
                self._write(self.row, column, value, self._total if total else self._cell)
        self.row += 1

    def line(self, text: str, column: int = 0, bold: bool = False) -> None:
        self.sheet.write_string(self.row, column, text, self._bold if bold else None)
        self.row += 1

    def sign_off(self, left: Sequence[str], right: Sequence[str], right_column: int) -> None:
        """Two signature blocks side by side, with room to sign above the name lines."""
        for offset, text in enumerate(left):
            self.sheet.write_string(self.row + offset, 0, text)
        for offset, text in enumerate(right):
            self.sheet.write_string(self.row + offset, right_column, text)
        self.row += max(len(left), len(right))

    def _write(self, row: int, column: int, value: object, style: Format | None) -> None:
        if value is None:
            self.sheet.write_blank(row, column, None, style)
        elif isinstance(value, bool):
            raise TypeError("a layout cell is never a bool")
        elif isinstance(value, float):
            self.sheet.write_number(row, column, round(value, 1), style)
        elif isinstance(value, int):
            self.sheet.write_number(row, column, value, style)
        elif isinstance(value, date):
            self.sheet.write_datetime(row, column, value, style)
        else:
            self.sheet.write_string(row, column, str(value), style)

    def print_on_a4(self, header_row: int, landscape: bool, widths: Sequence[float]) -> None:
        """A4, one page wide, the rows down to the column header repeated on every page,
        gridlines printed: ready to print and sign as it is."""
        sheet = self.sheet
        sheet.set_paper(A4)
        if landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, header_row)
        sheet.hide_gridlines(0)  # 0: shown on screen and printed
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)


def sheet_name(used: set[str], *parts: str, qualifier: str = "") -> str:
    """A unique sheet name from `parts`: at most 31 characters, none of []:*?/\\. A name
    taken already gets the `qualifier` (the kelurahan, in a kecamatan's file), then a number."""
    wanted = _clean(" ".join(p for p in parts if p))
    name, number = wanted, 1
    if name.lower() in used and qualifier:
        wanted = name = _clean(f"{qualifier} {' '.join(p for p in parts if p)}")
    while name.lower() in used:
        number += 1
        suffix = f" ({number})"
        name = _cut(wanted, _SHEET_NAME_MAX - len(suffix)).rstrip(" '") + suffix
    used.add(name.lower())
    return name


def _clean(wanted: str) -> str:
    wanted = _SHEET_NAME_BAD.sub("-", wanted).strip(" '")
    return _cut(wanted, _SHEET_NAME_MAX).rstrip(" '") or "Sheet"


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` UTF-16 units: a workbook counts a
    character beyond the BMP (an emoji) as two."""
    length = 0
    for index, character in enumerate(text):
        length += 2 if ord(character) > 0xFFFF else 1
        if length > limit:
            return text[:index]
    return text
