"""The command line: config errors, invites, export, the terminal channel, kill -9."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from bot import console
from bot.app import open_runtime
from bot.cli import main
from bot.config import load_config
from handlers.periods import period_of, shift_period
from handlers.texts import month_name
from tests.conftest import BASE_CONFIG, TelegramUser, make_invite, queue_texts, write_config
from tests.fakes.botapi import FakeBotApi

VALID = BASE_CONFIG.format(db="/tmp/unused.db", api="http://127.0.0.1:9")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (('name = "Kampung KB Mekarsari"\n', ""), "kampung[1].name: required key is missing"),
        (('timezone = "Asia/Makassar"', 'timezone = "Asia/Bandung"'), "kampung[1].timezone"),
        (('kind = "bkr"', 'kind = "arisan"'), "kampung[0].unit[3].kind: 'arisan' is not"),
        (
            ('slug = "bkr-harapan"', 'slug = "pokja"'),
            "kampung[0].unit[3].slug: 'pokja' is reserved",
        ),
        (('meets = "day 10"', 'meets = "tiap tanggal 10"'), "kampung[0].unit[0].meets"),
        (('meets = "day 10"', 'meets = "day 40"'), "kampung[0].unit[0].meets: day must"),
        (('bot_username = "KaderTestBot"', 'bot_name = "x"'), "telegram.bot_name: unknown key"),
        (('[database]\nurl = "sqlite', '[database]\nurl = "mysql'), "database.url"),
        (
            ('slug = "mekarsari"', 'slug = "sukamaju"'),
            "kampung: kampung slug 'sukamaju' appears twice",
        ),
        (('slug = "bkb-ceria"', 'slug = "BKB Ceria"'), "kampung[0].unit[2].slug"),
        (("keluarga_balita = 239", "keluarga_balita = -1"), "kampung[0].keluarga_balita"),
        # A typo's extra digits: refused here, not an overflow in the database at start.
        (("keluarga_balita = 239", "keluarga_balita = 2390000000"), "kampung[0].keluarga_balita"),
        (("keluarga_balita = 239", "pus = 100000000000000000000"), "kampung[0].pus: "),
        (("[[kampung]]", "[[kampung"), "not valid TOML"),
    ],
)
def test_bad_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], names: str
) -> None:
    old, new = change
    assert old in VALID
    path = tmp_path / "config.toml"
    path.write_text(VALID.replace(old, new, 1))
    code, _, err = run_cli(capsys, "--config", str(path), "export", "--month", "2026-11")
    assert code == 2
    assert names in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--config", str(tmp_path / "none.toml"), "run")
    assert code == 2 and "config file not found" in err


def test_run_without_token_says_what_to_set(
    config_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KADERBOT_TEST_TOKEN", raising=False)
    code, _, err = run_cli(capsys, "run", "--config", str(config_path))
    assert code == 2
    assert "telegram.token_env" in err and "export KADERBOT_TEST_TOKEN=" in err
    assert "kaderbot invite --kampung sukamaju --role kader --unit posyandu-melati" in err
    assert "kaderbot chat --user" in err
    monkeypatch.setenv("KADERBOT_TEST_TOKEN", "not a token")
    code, _, err = run_cli(capsys, "run", "--config", str(config_path))
    assert code == 2 and "does not look like a bot token" in err


def test_invite_prints_codes_with_deep_links(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("invite", "--config", str(config_path), "--role", "kader", "--kampung", "sukamaju")
    code, out, _ = run_cli(capsys, *args, "--unit", "posyandu-melati", "--count", "3")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3
    for line in lines:
        invite_code, link = line.split("  ")
        assert link == f"https://t.me/KaderTestBot?start={invite_code}"
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and "--unit is required" in err
    code, _, err = run_cli(capsys, *args, "--unit", "posyandu-kenanga")
    assert code == 2 and "no unit 'posyandu-kenanga'" in err
    code, out, _ = run_cli(
        capsys,
        "invite",
        "--config",
        str(config_path),
        "--role",
        "plkb",
        "--kecamatan",
        "Cibeunying",
    )
    assert code == 0 and len(out.strip().splitlines()) == 1


def test_export_bad_month(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "export", "--config", str(config_path), "--month", "11-2026")
    assert code == 2 and "--month must be YYYY-MM" in err
    code, _, err = run_cli(
        capsys, "export", "--config", str(config_path), "--month", "2026-11", "--kampung", "x"
    )
    assert code == 2 and "no kampung with slug 'x'" in err


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("recap", "--month", "9999-12"), "--month"),
        (("recap", "--month", "0000-01"), "--month"),
        (("export", "--month", "9999-12"), "--month"),
        (("export", "--year", "0000"), "--year"),
        (("export", "--year", "9999"), "--year"),
        (("invite", "--role", "ketua", "--kampung", "sukamaju", "--days", "100000000"), "--days"),
        (("invite", "--role", "ketua", "--kampung", "sukamaju", "--days", "0"), "--days"),
        (("invite", "--role", "ketua", "--kampung", "sukamaju", "--count", "100000"), "--count"),
    ],
)
def test_months_years_and_days_out_of_range_exit_2_naming_the_argument(
    config_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], names: str
) -> None:
    code, out, err = run_cli(capsys, *args, "--config", str(config_path))
    assert code == 2, err
    assert err.startswith(f"kaderbot: {names}") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and out == ""


def chat_in_terminal(config_path: Path, lines: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--config", str(config_path), "--user", "budi"],
        input="\n".join(lines) + "\n" if lines else "",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=cwd,
    )
    return result.stdout


def test_terminal_chat_resumes_after_a_restart_and_writes_the_recap_files(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("invite", "--config", str(config_path), "--role", "kader", "--kampung", "sukamaju")
    _, out, _ = run_cli(capsys, *args, "--unit", "posyandu-melati")
    first = chat_in_terminal(config_path, [f"/start {out.split()[0]}", "/lapor", "hari ini", "50"])
    assert "K: balita yang punya KMS" in first

    # A new process, nothing typed yet: the open question comes back from the database.
    restarted = chat_in_terminal(config_path, [])
    assert "Anda masih mengisi laporan Posyandu Melati" in restarted
    assert "K: balita yang punya KMS" in restarted

    files = tmp_path / "kerja"
    files.mkdir()
    answers = ["48", "45", "40", "lewati", "lewati", "lewati", "lewati", "1", "6", "5"]
    output = chat_in_terminal(config_path, [*answers, "lewati", "1", "/rekap"], cwd=files)
    assert "T: -" in output and "2T: -" in output, "skipped answers read '-' in the summary"
    assert "Tersimpan ✅" in output and "T - · O - · B - · 2T -" in output
    month = datetime.now(UTC).strftime("%Y-%m")  # the Kampung KB is in WIB: same month here
    chart = files / f"grafik-sukamaju-{month}.png"
    sheet = files / f"rekap-sukamaju-{month}.xlsx"
    assert f"Berkas: {chart}" in output and f"Berkas: {sheet}" in output
    assert Image.open(chart).format == "PNG"
    book = openpyxl.load_workbook(sheet)
    rows = list(book["Posyandu"].iter_rows(values_only=True))
    melati = dict(zip(rows[0], rows[1], strict=True))
    assert (melati["D"], melati["T"], melati["2T"], melati["2T/D %"]) == (45, "-", "-", "-")


def test_recap_out_writes_text_chart_and_spreadsheet(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    out_dir = tmp_path / "rekap"
    code, out, _ = run_cli(
        capsys, "recap", "--config", str(config_path), "--month", month, "--out", str(out_dir)
    )
    assert code == 0
    paths = [Path(line) for line in out.strip().splitlines()]
    assert sorted(p.name for p in paths) == sorted(
        f"{name}-{slug}-{month}.{ext}"
        for slug in ("sukamaju", "mekarsari")
        for name, ext in (("rekap", "txt"), ("grafik", "png"), ("rekap", "xlsx"))
    )
    assert all(p.parent == out_dir.resolve() for p in paths)
    text = (out_dir / f"rekap-sukamaju-{month}.txt").read_text(encoding="utf-8")
    assert text.startswith("📊 Rekap Kampung KB Sukamaju")
    assert Image.open(out_dir / f"grafik-sukamaju-{month}.png").size == (800, 450)
    book = openpyxl.load_workbook(out_dir / f"rekap-sukamaju-{month}.xlsx")
    assert "Posyandu" in book.sheetnames


def test_terminal_chat_report_then_export_csv_and_xlsx(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys,
        "invite",
        "--config",
        str(config_path),
        "--role",
        "kader",
        "--kampung",
        "sukamaju",
        "--unit",
        "bkb-ceria",
    )
    invite_code = out.split()[0]
    answers = ["halo", f"/start {invite_code}", "1", "hari ini", "tiga puluh", "40", "25"]
    answers += ["3", "Gizi dan cegah stunting", "5", "20", "15", "1"]
    output = chat_in_terminal(config_path, answers)
    assert "belum terdaftar" in output
    assert "  1. Lapor" in output, "choices are numbered"
    assert "Pilihan: [Hari ini] · [Kemarin]" in output, "free-text prompts list words"
    assert "Hadir tidak boleh lebih dari Anggota (30)" in output
    assert "Tersimpan ✅ Laporan BKB Ceria" in output

    month = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today().strftime('%Y-%m'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    code, out, _ = run_cli(capsys, "export", "--config", str(config_path), "--month", month)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
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
    ]
    fields = [(row["field"], row["value"]) for row in rows]
    assert fields == [
        ("anggota", "30"),
        ("hadir", "25"),
        ("kader_hadir", "3"),
        ("materi", "Gizi dan cegah stunting"),
        ("penyaji", "Kader"),
        ("pus_anggota", "20"),
        ("pus_kb", "15"),
    ]
    assert {row["reported_by"] for row in rows} == {"budi"}
    assert rows[0]["reported_at"].endswith("+07:00") and rows[0]["revision"] == "1"

    xlsx = tmp_path / "laporan.xlsx"
    args = ("export", "--config", str(config_path), "--month", month, "--format", "xlsx")
    code, _, _ = run_cli(capsys, *args, "--out", str(xlsx))
    assert code == 0
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][:3] == ["kampung", "unit", "form"]
    assert [(r[5], r[6]) for r in table[1:]] == [
        (f, int(v) if v.isdigit() else v) for f, v in fields
    ]


async def test_kill_9_mid_form_resumes_at_the_same_question(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config_path = write_config(tmp_path, bot_api.base_url)
    invite = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "invite",
        "--config",
        str(config_path),
        "--role",
        "kader",
        "--kampung",
        "sukamaju",
        "--unit",
        "posyandu-melati",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await invite.communicate()
    code = out.decode().split()[0]
    env = {**os.environ, "KADERBOT_TEST_TOKEN": "123456:TEST-token"}

    async def start_bot() -> asyncio.subprocess.Process:
        before = len(bot_api.calls_of("setMyCommands"))
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path), env=env
        )
        await bot_api.wait_for_call("setMyCommands", before + 1)
        return process

    kader = TelegramUser(bot_api, 31, "Bu Tini")
    process = await start_bot()
    try:
        await kader.say(f"/start {code}")
        await kader.say("/lapor")
        await kader.say("hari ini")
        reply = await kader.say("50")
        assert "K: balita" in reply.text
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    process = await start_bot()
    try:
        reply = await kader.say("48")
        assert "D: balita yang ditimbang" in reply.text
    finally:
        await bot_api.release_polls()
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await process.wait()
    assert process.returncode == 0, "SIGTERM stops the bot cleanly"


async def test_kill_9_while_draining_the_outbox_loses_nothing(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config_path = write_config(tmp_path, bot_api.base_url)
    async with open_runtime(load_config(config_path)) as runtime:
        await queue_texts(runtime, 20)
    bot_api.send_delay = 0.05
    env = {**os.environ, "KADERBOT_TEST_TOKEN": "123456:TEST-token"}
    command = [sys.executable, "-m", "bot", "run", "--config", str(config_path)]

    def queued_texts() -> Counter[str]:
        return Counter(s.text for s in bot_api.sent if s.text.startswith("antrean"))

    process = await asyncio.create_subprocess_exec(*command, env=env)
    try:
        await bot_api.wait_for_sent(5)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert sum(queued_texts().values()) < 20, "killed in the middle of the drain"

    await bot_api.release_polls()
    bot_api.hold_polls()
    process = await asyncio.create_subprocess_exec(*command, env=env)
    try:
        async with asyncio.timeout(60), bot_api.changed:
            await bot_api.changed.wait_for(lambda: len(queued_texts()) == 20)
    finally:
        await bot_api.release_polls()
        process.send_signal(signal.SIGTERM)
        await process.wait()
    counts = queued_texts()
    assert len(counts) == 20, "nothing lost"
    # Only the sends on the wire at the kill may arrive twice: at 29/s with 50 ms a send,
    # two at a time, three at most.
    assert sum(counts.values()) - 20 <= 3


def test_recap_prints_and_queues_to_the_ketua(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "invite", "--config", str(config_path), "--role", "ketua", "--kampung", "sukamaju"
    )
    chat_in_terminal(config_path, [f"/start {out.split()[0]}"])
    # Last month: the first invite is this month, and its kader may report the month before.
    last_month = shift_period(period_of(datetime.now(UTC).date()), -1)
    args = ("recap", "--config", str(config_path), "--month", last_month)
    code, out, _ = run_cli(capsys, *args, "--kampung", "sukamaju")
    assert code == 0 and f"Rekap Kampung KB Sukamaju\n{month_name(last_month)}" in out
    assert "Kampung KB Mekarsari" not in out
    code, out, err = run_cli(capsys, *args, "--send")
    assert code == 0 and "Kampung KB Mekarsari" in out
    assert "queued for 1 of 1 ketua" in err
    code, _, err = run_cli(capsys, *args, "--send")
    assert "queued for 0 of 1 ketua" in err, "the same request is queued once"
    code, _, err = run_cli(capsys, *args, "--kampung", "nowhere")
    assert code == 2 and "no kampung with slug 'nowhere'" in err


def test_backup_member_remove_and_export_of_a_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = write_config(tmp_path)
    code, out, _ = run_cli(
        capsys,
        "invite",
        "--config",
        str(config_path),
        "--role",
        "kader",
        "--kampung",
        "sukamaju",
        "--unit",
        "bkb-ceria",
    )
    answers = [f"/start {out.split()[0]}", "/lapor", "hari ini", "30", "25", "3", "Gizi", "5"]
    answers += ["20", "15", "1"]
    assert "Tersimpan" in chat_in_terminal(config_path, answers)

    backup = tmp_path / "cadangan.db"
    code, _, err = run_cli(capsys, "backup", "--config", str(config_path), "--out", str(backup))
    assert code == 0 and "backed up" in err
    import sqlite3

    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM report").fetchone()[0] == 1

    code, out, _ = run_cli(capsys, "member", "list", "--config", str(config_path))
    [line] = out.strip().splitlines()
    member_id, role, channel, name = line.split("\t")
    assert (role, channel, name) == ("kader", "console", "budi")
    code, _, err = run_cli(
        capsys, "member", "remove", "--config", str(config_path), "--id", member_id
    )
    assert code == 0 and "erased" in err
    code, out, _ = run_cli(capsys, "member", "list", "--config", str(config_path))
    assert out.strip() == ""
    code, _, err = run_cli(
        capsys, "member", "remove", "--config", str(config_path), "--id", member_id
    )
    assert code == 2 and "no member" in err

    year = datetime.now(UTC).strftime("%Y")
    code, out, _ = run_cli(capsys, "export", "--config", str(config_path), "--year", year)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7, "the report stays"
    assert {row["reported_by"] for row in rows} == {""}, "its reporter's name is gone"
    with sqlite3.connect(tmp_path / "kaderbot.db") as database:
        names = database.execute("SELECT name, user_key FROM member").fetchall()
        states = database.execute("SELECT count(*) FROM conversation").fetchone()[0]
    assert names == [("", f"removed-{member_id}")] and states == 0
    code, _, err = run_cli(capsys, "export", "--config", str(config_path), "--year", "26")
    assert code == 2 and "--year must be YYYY" in err


def test_backup_of_postgresql_points_to_pg_dump(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, database_url="postgresql://kaderbot:rahasia@db.local/kaderbot")
    code, _, err = run_cli(capsys, "backup", "--config", str(path), "--out", "x.dump")
    assert code == 2 and "pg_dump --format=custom --file=x.dump" in err
    assert "rahasia" not in err, "the password is not printed"


class _ScriptedStdin:
    """Lines typed at the terminal; `before` runs just before the line of that index."""

    def __init__(self, lines: list[str], before: dict[int, Callable[[], None]]) -> None:
        self.lines, self.before, self.at = lines, before, 0

    def readline(self) -> str:
        if self.at >= len(self.lines):
            return ""
        if self.at in self.before:
            self.before[self.at]()
        self.at += 1
        return self.lines[self.at - 1] + "\n"


async def test_terminal_chat_survives_a_failing_turn(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A turn that fails (here: a table gone from the SQLite file) is one Indonesian sentence
    and a logged traceback, and the terminal channel goes on; it does not crash."""
    config = load_config(write_config(tmp_path))
    database = tmp_path / "kaderbot.db"

    def break_database() -> None:
        with sqlite3.connect(database) as broken:
            broken.execute("ALTER TABLE conversation RENAME TO conversation_gone")

    def mend_database() -> None:
        with sqlite3.connect(database) as mended:
            mended.execute("ALTER TABLE conversation_gone RENAME TO conversation")

    async with open_runtime(config) as runtime:
        code = await make_invite(runtime)
        stdin = _ScriptedStdin(
            [f"/start {code}", "/lapor", "/status", "hari ini"],
            before={2: break_database, 3: mend_database},
        )
        stdout = io.StringIO()
        await console.chat(runtime.service, "budi", stdin, stdout)  # type: ignore[arg-type]
    shown = stdout.getvalue()
    assert "Maaf, sedang ada gangguan" in shown
    assert "Traceback" not in shown
    assert "turn failed in the terminal channel" in caplog.text
    after_failure = shown.split("Maaf, sedang ada gangguan", 1)[1]
    assert "S: jumlah balita sasaran" in after_failure, "the form goes on after the fault"


def test_export_refuses_targets_it_cannot_write_before_writing_anything(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    args = ("export", "--config", str(config_path), "--month", month, "--format", "xlsx")
    folder = tmp_path / "keluar"
    folder.mkdir()
    code, _, err = run_cli(capsys, *args, "--out", str(folder))
    assert code == 2 and f"--out: {folder} is a folder" in err
    (tmp_path / "laporan-foto").write_text("bukan folder")
    code, _, err = run_cli(capsys, *args, "--out", str(tmp_path / "laporan.xlsx"))
    assert code == 2 and "which is a file" in err
    assert not (tmp_path / "laporan.xlsx").exists()
    # A folder that does not exist: named, as export --layout does (it was exit 1 and
    # "FileNotFoundError: [Errno 2] ...").
    for target in ("laporan.csv", "laporan.xlsx"):
        missing = tmp_path / "tidak-ada" / target
        fmt = target.rsplit(".", 1)[1]
        code, _, err = run_cli(capsys, *args[:-1], fmt, "--out", str(missing))
        assert code == 2, err
        assert err.startswith(f"kaderbot: --out: {missing} cannot be written") and (
            "does not exist" in err
        ), err
    assert not (tmp_path / "tidak-ada").exists()


def test_recap_out_that_is_a_file_exits_2_naming_it(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = datetime.now(UTC).strftime("%Y-%m")
    taken = tmp_path / "rekap.txt"
    taken.write_text("catatan")
    args = ("recap", "--config", str(config_path), "--month", month, "--out", str(taken))
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and err.startswith(f"kaderbot: --out: {taken} is a file"), err
    assert len(err.strip().splitlines()) == 1 and taken.read_text() == "catatan"


@pytest.mark.parametrize(
    ("role", "where", "offered", "not_offered"),
    [
        ("ketua", ("--kampung", "sukamaju"), "6. Undang anggota", None),
        ("plkb", ("--kecamatan", "Cibeunying"), "Undang anggota", "Lapor kegiatan"),
    ],
)
def test_the_menu_after_the_welcome_is_the_new_members_own(
    config_path: Path,
    capsys: pytest.CaptureFixture[str],
    role: str,
    where: tuple[str, str],
    offered: str,
    not_offered: str | None,
) -> None:
    """A ketua (or PLKB) who has just registered is shown their own menu, not a kader's,
    and its buttons work right away: typing the number of Undang anggota starts an invite."""
    _, out, _ = run_cli(capsys, "invite", "--config", str(config_path), "--role", role, *where)
    menu = "Undang anggota"
    output = chat_in_terminal(config_path, [f"/start {out.split()[0]}"])
    welcome = output.split("Mau melakukan apa?")[-1]
    assert offered in welcome, welcome
    assert not_offered is None or not_offered not in welcome, welcome
    number = next(line for line in welcome.splitlines() if menu in line).split(".")[0].strip()
    pressed = chat_in_terminal(config_path, [number])
    assert "Siapa yang mau diundang" in pressed or "Undang ketua pokja" in pressed, pressed


def test_backup_refuses_a_target_it_cannot_write_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong --out exits 2 with one line naming it, the database untouched; it was an
    exit 1 'unable to open database file' (which reads as if the database were broken),
    or, with the database itself as --out, 'backed up' with no copy made."""
    config_path = write_config(tmp_path)
    code, _, _ = run_cli(capsys, "member", "list", "--config", str(config_path))
    assert code == 0  # the database exists
    database = tmp_path / "kaderbot.db"
    before = database.read_bytes()
    sheet = tmp_path / "laporan.xlsx"
    sheet.write_bytes(b"PK\x03\x04 a spreadsheet")
    targets = {
        tmp_path / "tidak-ada" / "cadangan.db": "does not exist",
        tmp_path: "is a folder",
        database: "is the database itself",
        Path(os.path.relpath(database)): "is the database itself",
        sheet: "is not a SQLite database",
    }
    for target, reason in targets.items():
        code, _, err = run_cli(capsys, "backup", "--config", str(config_path), "--out", str(target))
        assert code == 2, (target, err)
        assert err.startswith(f"kaderbot: --out: {target}") and reason in err, err
        assert len(err.strip().splitlines()) == 1, err
    assert database.read_bytes() == before and sheet.read_bytes() == b"PK\x03\x04 a spreadsheet"
    assert not (tmp_path / "tidak-ada").exists()


async def test_run_says_in_one_line_when_telegram_cannot_be_reached_or_refuses_the_token(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    """A fresh machine with a token but no way to Telegram, or a token Telegram does not
    know: one line saying which, not a library's exception name."""
    env = {**os.environ, "KADERBOT_TEST_TOKEN": "123456:TEST-token"}

    async def run(api: str) -> tuple[int, str]:
        config_path = write_config(tmp_path, api)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path),
            env=env, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode is not None
        return process.returncode, err.decode()

    code, err = await run("http://127.0.0.1:9")  # nothing listens there
    assert code == 1, err
    assert "kaderbot: cannot reach Telegram at http://127.0.0.1:9" in err, err
    assert "telegram.api_base_url" in err and "Error:" not in err, err
    assert sum(line.startswith("kaderbot:") for line in err.splitlines()) == 1, err

    bot_api.failures["getMe"] = [(401, None)]  # Telegram's answer to an unknown token
    code, err = await run(bot_api.base_url)
    assert code == 2, err
    assert "kaderbot: telegram.token_env: Telegram refused the token in KADERBOT_TEST_TOKEN" in err
    assert "@BotFather" in err and err.strip().splitlines()[-1].startswith("kaderbot:"), err
