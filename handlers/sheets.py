"""Spreadsheets and CSV written by the bot: no cell made from user text is ever a formula.

XlsxWriter's `write` turns a string starting with "=" into a formula and one that looks
like a URL into a link, unless the workbook says otherwise; spreadsheet programs run a CSV
cell starting with = + - @, a tab or a carriage return as a formula (CSV injection). Every
workbook and CSV the bot writes comes from here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import xlsxwriter

# OWASP's list of characters that make a spreadsheet program read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def new_workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    """A workbook in memory whose strings stay strings (numbers stay numbers)."""
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    return xlsxwriter.Workbook(buffer, options)


def csv_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with a single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
