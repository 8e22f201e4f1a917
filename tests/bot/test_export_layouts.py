"""`kaderbot export --layout portal|register|skdn`: the real command line on a real
database (SQLite and PostgreSQL), the workbook read back with openpyxl."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

import storage
from bot.app import open_runtime
from bot.cli import main
from bot.config import load_config
from handlers.periods import period_of
from tests.conftest import register, write_config

CODES = (
    ("keluarga_balita = 239\n", 'pus = 628\nkode_wilayah = "32.73.02.1001"\n'),
    ('name = "BKB Ceria"\n', 'kode_poktan = "BKB.01"\nnomor_register = "12/III"\n'),
)  # added after the line found
# The seed profile's KB month: 447 active users + 181 not on KB = PUS 628.
KB_MONTH = {
    "pus": 628, "aktif_iud": 40, "aktif_mow": 12, "aktif_mop": 2, "aktif_kondom": 18,
    "aktif_implan": 65, "aktif_suntik": 190, "aktif_pil": 120, "baru_suntik": 10,
    "baru_pil": 4, "hamil": 20, "ias": 35, "iat": 56, "tial": 70,
}  # fmt: skip


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def this_month() -> str:
    return period_of(datetime.now(ZoneInfo("Asia/Jakarta")).date())


@pytest.fixture
def coded_config(tmp_path: Path, database_url: str | None) -> Path:
    path = write_config(tmp_path, database_url=database_url)
    text = path.read_text()
    for old, new in CODES:
        assert old in text
        text = text.replace(old, old + new, 1)
    path.write_text(text)
    return path


async def _seed(config_path: Path, period: str) -> None:
    """This month's KB, BKB and posyandu reports of Sukamaju, as kader save them."""
    async with open_runtime(load_config(config_path)) as runtime:
        kader = await register(runtime, "501", unit="kb-sukamaju")
        async with runtime.database.write() as session:
            units = {u.slug: u.id for u in await storage.active_units(session, [1, 2])}
            day = date.fromisoformat(f"{period}-01")
            now = datetime.now(UTC)
            for slug, form, slot, meeting, values in (
                ("kb-sukamaju", "kb", period, None, KB_MONTH),
                ("bkb-ceria", "bkb", day.isoformat(), day, {
                    "anggota": 30, "hadir": 25, "kader_hadir": 3, "materi": "Gizi balita",
                    "penyaji": "Kader", "pus_anggota": 20, "pus_kb": 15}),
                ("posyandu-melati", "posyandu", period, day, {
                    "s": 50, "k": 48, "d": 45, "n": 40, "bgm": 1, "bumil": 6, "kader_hadir": 5}),
            ):  # fmt: skip
                await storage.save_report(
                    session,
                    unit_id=units[slug],
                    form=form,
                    slot=slot,
                    period=period,
                    meeting_date=meeting,
                    values=values,  # type: ignore[arg-type]
                    correction_of=None,
                    member_id=kader,
                    now=now,
                )


def test_export_layouts_of_a_kampung_and_of_every_kampung(
    coded_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = this_month()
    asyncio.run(_seed(coded_config, month))
    config = ("--config", str(coded_config))

    portal = tmp_path / "portal.xlsx"
    code, err = run_cli(capsys, "export", *config, "--layout", "portal", "--month", month,
                        "--kampung", "sukamaju", "--out", str(portal))  # fmt: skip
    assert code == 0 and f"portal of {month} for 1 Kampung KB written to {portal}" in err
    [sheet] = openpyxl.load_workbook(portal).worksheets
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if len(row) > 2}
    assert values["Jumlah PUS"] == 628 and values["Jumlah PUS peserta KB"] == 447
    assert values["Jumlah PUS bukan peserta KB"] == 181 and values["Suntik"] == 190
    head = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert head["Kode wilayah"] == "32.73.02.1001" and head["Desa/Kelurahan"] == "Sukamaju"

    register_file = tmp_path / "register.xlsx"
    code, _ = run_cli(capsys, "export", *config, "--layout", "register", "--month", month,
                      "--kampung", "sukamaju", "--out", str(register_file))  # fmt: skip
    assert code == 0
    book = openpyxl.load_workbook(register_file)
    assert book.sheetnames == ["R.I.BKB BKB Ceria", "R.I.BKR BKR Harapan", "R.I.BKL BKL Bahagia"]
    head = {row[0]: row[1] for row in book["R.I.BKB BKB Ceria"].iter_rows(values_only=True)}
    assert head["Kode poktan"] == "BKB.01" and head["Nomor register kelompok"] == "12/III"
    assert head["Kode wilayah"] == "32.73.02.1001"
    assert head[1] == datetime.fromisoformat(f"{month}-01"), "the meeting's date"

    skdn = tmp_path / "skdn.xlsx"
    code, _ = run_cli(capsys, "export", *config, "--layout", "skdn", "--month", month,
                      "--out", str(skdn))  # fmt: skip
    assert code == 0
    book = openpyxl.load_workbook(skdn)
    assert book.sheetnames == ["SKDN Mekarsari", "SKDN Sukamaju"], "every Kampung KB"
    rows = list(book["SKDN Sukamaju"].iter_rows(values_only=True))
    melati = next(row for row in rows if row[1] == "Posyandu Melati")
    assert melati[2:11] == (50, 48, 45, 40, None, None, None, None, 1)
    assert melati[12] == 90.0 and melati[17:19] == (6, 5)
    anggrek = next(
        r for r in book["SKDN Mekarsari"].iter_rows(values_only=True) if r[1] == "Posyandu Anggrek"
    )
    assert anggrek[-1] == "belum lapor"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--layout", "pdf", "--month", "{month}", "--out", "{out}"),
         "--layout must be one of portal, register, skdn, got 'pdf'"),
        (("--layout", "portal", "--month", "2026-13", "--out", "{out}"),
         "--month must be YYYY-MM, got '2026-13'"),
        (("--layout", "portal", "--month", "9999-12", "--out", "{out}"),
         "--month: 9999-12 is outside the months the bot holds"),
        (("--layout", "portal", "--year", "2026", "--out", "{out}"), "--layout takes one --month"),
        (("--layout", "skdn", "--month", "{month}"), "--layout needs --out FILE.xlsx"),
        (("--layout", "skdn", "--month", "{month}", "--format", "csv", "--out", "{out}"),
         "leave out --format csv"),
        (("--layout", "skdn", "--month", "{month}", "--kampung", "x", "--out", "{out}"),
         "--kampung: no kampung with slug 'x'"),
        (("--layout", "register", "--month", "{month}", "--out", "{dir}"), "is a folder"),
        (("--layout", "portal", "--month", "{month}", "--out", "{dir}/no/such/f.xlsx"),
         "--out: cannot write {dir}/no/such/f.xlsx: No such file or directory"),
    ],
)  # fmt: skip
def test_export_layout_refuses_bad_arguments_in_one_line(
    coded_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    says: str,
) -> None:
    out = tmp_path / "out.xlsx"
    filled = [a.format(month=this_month(), out=out, dir=tmp_path) for a in args]
    code, err = run_cli(capsys, "export", "--config", str(coded_config), *filled)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and says.format(dir=tmp_path) in lines[0], err
    assert not out.exists(), "nothing written"
