"""The export schema of DESIGN section 4: one row per value, as CSV or XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace

from handlers.forms import FORMS, FieldKind, photo_ids
from handlers.sheets import csv_text, new_workbook
from storage import ExportRow

COLUMNS = (
    "kampung",
    "unit",
    "form",
    "period",
    "meeting_date",
    "field",
    "value",
    "reported_by",
    "reported_at",
    "revision",
)


def _field_position(row: ExportRow) -> int:
    spec = FORMS.get(row.form)
    try:
        return spec.index(row.field) if spec else 0
    except KeyError:
        return len(spec.fields) if spec else 0


def ordered(rows: Sequence[ExportRow]) -> list[ExportRow]:
    """Rows of one report together, its fields in the order the form asks them."""
    return sorted(
        rows,
        key=lambda r: (
            r.kampung,
            r.unit,
            r.form,
            r.meeting_date.isoformat() if r.meeting_date else "",
            r.revision,
            _field_position(r),
        ),
    )


def _cells(row: ExportRow) -> list[str | int]:
    return [
        row.kampung,
        row.unit,
        row.form,
        row.period,
        row.meeting_date.isoformat() if row.meeting_date else "",
        row.field,
        row.value,
        row.reported_by,
        row.reported_at.isoformat(timespec="seconds"),
        row.revision,
    ]


_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def photo_files(
    rows: Sequence[ExportRow], mime_types: dict[int, str]
) -> tuple[list[ExportRow], dict[int, str]]:
    """The rows with each photo answer naming its files instead of ids, and the file name
    of each photo id: kampung-date-n.jpg, n counting the kampung's photos of that day.
    `mime_types`: the stored photos by id (an id not there is left out)."""
    names: dict[int, str] = {}
    used: dict[str, int] = {}
    named: list[ExportRow] = []
    for row in ordered(rows):
        spec = FORMS.get(row.form)
        kinds = {f.key: f.kind for f in spec.fields} if spec else {}
        if kinds.get(row.field) is not FieldKind.PHOTOS:
            named.append(row)
            continue
        files = []
        for photo_id in photo_ids(row.value):
            if photo_id not in mime_types:
                continue
            if photo_id not in names:
                day = row.meeting_date.isoformat() if row.meeting_date else row.period
                stem = f"{row.kampung}-{day}"
                used[stem] = used.get(stem, 0) + 1
                extension = _EXTENSIONS.get(mime_types[photo_id], ".jpg")
                names[photo_id] = f"{stem}-{used[stem]}{extension}"
            files.append(names[photo_id])
        named.append(replace(row, value=", ".join(files)))
    return named, names


def to_csv(rows: Sequence[ExportRow]) -> str:
    return csv_text(COLUMNS, [_cells(row) for row in ordered(rows)])


def to_xlsx(rows: Sequence[ExportRow]) -> bytes:
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    sheet = workbook.add_worksheet("laporan")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, COLUMNS, bold)
    for number, row in enumerate(ordered(rows), start=1):
        sheet.write_row(number, 0, _cells(row))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
