"""The month in the layouts that go upstream, print-ready (DESIGN section 4):

- `portal`: the Kampung KB portal's month ("Data Perkembangan KKBPK"), one sheet per
  Kampung KB;
- `register`: the SIGA R/I registers of the poktan, one sheet per group;
- `skdn`: the posyandu SKDN rekap (F2 / SIP format 6), one sheet per Kampung KB.

One workbook holds one layout for one or more Kampung KB (a PLKB's kecamatan). The figures
are the recap's (handlers/recap), read through the same tally; sheet labels are what the
upstream forms say (handlers/texts.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import xlsxwriter

from handlers import texts
from handlers.sheets import new_workbook
from handlers.upstream.load import load_months
from handlers.upstream.month import KampungMonth, kampung_month
from handlers.upstream.portal import write_portal
from handlers.upstream.register import REGISTER_FORMS, write_registers
from handlers.upstream.sheet import Sheet
from handlers.upstream.skdn import write_skdn

_WRITERS: dict[str, Callable[[xlsxwriter.Workbook, KampungMonth, set[str]], None]] = {
    "portal": write_portal,
    "register": write_registers,
    "skdn": write_skdn,
}
LAYOUTS = tuple(_WRITERS)


def layout_xlsx(layout: str, months: Sequence[KampungMonth]) -> bytes:
    """One workbook: the layout's sheets for each Kampung KB's month, in the given order."""
    write = _WRITERS[layout]
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    used: set[str] = set()
    for month in months:
        write(book, month, used)
    if not book.worksheets():  # registers where no Kampung KB has a poktan: say so
        Sheet(book, texts.UPSTREAM_SHEET[layout]).line(texts.UPSTREAM_NO_GROUP)
    book.close()
    return buffer.getvalue()


__all__ = [
    "LAYOUTS",
    "REGISTER_FORMS",
    "KampungMonth",
    "file_name",
    "kampung_month",
    "layout_xlsx",
    "load_months",
]


def file_name(layout: str, slug: str, period: str) -> str:
    return texts.UPSTREAM_FILE.format(layout=layout, slug=slug, period=period)
