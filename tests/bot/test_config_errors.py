"""Bad config and broken storage: exit code and one line on stderr that names the key or file.

Config problems exit 2 (README, "Configuration"); database problems exit 1 and name the
database file. Every case runs the real command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from tests.conftest import BASE_CONFIG, write_config

VALID = BASE_CONFIG.format(db="/tmp/unused.db", api="http://127.0.0.1:9")
WHATSAPP = '[whatsapp]\nlisten = "127.0.0.1:8080"\nphone_number_id = "1"\n\n'


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        (
            'bot_username = "KaderTestBot"',
            'bot_username = "KaderTestBot"\nwebhook_listen = "garbage"',
            "telegram.webhook_listen: 'garbage' is not host:port",
        ),
        (
            'bot_username = "KaderTestBot"',
            'bot_username = "KaderTestBot"\nwebhook_listen = "127.0.0.1:99999"',
            "telegram.webhook_listen",
        ),
        (
            'bot_username = "KaderTestBot"',
            'bot_username = "KaderTestBot"\nwebhook_listen = "bad host:80"',
            "telegram.webhook_listen",
        ),
        ('listen = "127.0.0.1:8080"', 'listen = "garbage"', "whatsapp.listen: 'garbage' is not"),
        ('listen = "127.0.0.1:8080"', 'listen = ":8080"', "whatsapp.listen"),
        ("keluarga_balita = 239", "keluarga_balita = 239\npus = true", "kampung[0].pus"),
        ("keluarga_balita = 239", 'keluarga_balita = 239\npus = "5"', "kampung[0].pus"),
        ("keluarga_balita = 239", "keluarga_balita = 239.0", "kampung[0].keluarga_balita"),
        (
            "[[kampung]]",
            "[schedule]\nreminder_days_before = [-3]\n\n[[kampung]]",
            "schedule.reminder_days_before[0]",
        ),
        (
            "[[kampung]]",
            "[schedule]\nreminder_days_before = 1\n\n[[kampung]]",
            "schedule.reminder_days_before",
        ),
        ("[[kampung]]", "[schedule]\nrecap_day = true\n\n[[kampung]]", "schedule.recap_day"),
        (
            "keluarga_balita = 239",
            'keluarga_balita = 239\nkode_wilayah = "33.74.x"',
            "kampung[0].kode_wilayah: '33.74.x' is not a kode wilayah",
        ),
        ("keluarga_balita = 239", "keluarga_balita = 239\nkode_wilayah = 3374", "kode_wilayah"),
        (
            'name = "BKB Ceria"',
            'name = "BKB Ceria"\nkode_poktan = "=HYPERLINK(1)"',
            "kampung[0].unit[2].kode_poktan: '=HYPERLINK(1)' is not a register code",
        ),
        (
            'name = "BKB Ceria"',
            'name = "BKB Ceria"\nnomor_register = "' + "9" * 33 + '"',
            "kampung[0].unit[2].nomor_register",
        ),
        ("[[kampung]]", "[schedule]\nunlock_days = 0\n\n[[kampung]]", "schedule.unlock_days"),
        ("[[kampung]]", "[schedule]\nunlock_days = 2.5\n\n[[kampung]]", "schedule.unlock_days"),
    ],
)
def test_a_wrong_value_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, names: str
) -> None:
    text = WHATSAPP + VALID
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1))
    code, err = run_cli(capsys, "--config", str(path), "export", "--month", "2026-11")
    assert code == 2
    line = one_line(err)
    assert str(path) in line and names in line


@pytest.mark.parametrize(
    ("schedule", "names"),
    [
        (
            "final_recap_day = 3\nreport_deadline_day = 3",
            ("schedule.final_recap_day: day 3", "schedule.report_deadline_day (day 3)"),
        ),
        (
            "final_recap_day = 2",  # the default deadline, 3
            ("schedule.final_recap_day: day 2", "schedule.report_deadline_day (day 3)"),
        ),
        (
            "report_deadline_day = 28",  # the final recap would fall on the 29th
            ("schedule.report_deadline_day: day 28", "schedule.final_recap_day"),
        ),
        (
            "recap_day = 6\nfinal_recap_day = 5",
            ("schedule.recap_day: the status on day 6", "schedule.final_recap_day (day 5)"),
        ),
        ("final_recap_day = 29", ("schedule.final_recap_day: ",)),
    ],
)
def test_a_final_recap_not_after_the_deadline_is_refused_naming_both_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schedule: str, names: tuple[str, ...]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(VALID.replace("[[kampung]]", f"[schedule]\n{schedule}\n\n[[kampung]]", 1))
    code, err = run_cli(capsys, "--config", str(path), "run")
    assert code == 2
    line = one_line(err)
    assert line.startswith(f"kaderbot: {path}: schedule.")
    assert all(name in line for name in names), line


@pytest.mark.parametrize(
    "schedule",
    [
        "recap_day = 5",  # written before the final recap: still its recap day
        "recap_day = 4\nfinal_recap_day = 4",  # no status
        "recap_day = 2\nreport_deadline_day = 27",  # final on the 28th
        "final_recap_day = 10",
    ],
)
def test_a_final_recap_after_the_deadline_is_accepted(tmp_path: Path, schedule: str) -> None:
    path = write_config(tmp_path)
    path.write_text(
        path.read_text().replace("[[kampung]]", f"[schedule]\n{schedule}\n\n[[kampung]]", 1)
    )
    settings = load_config(path).schedule
    assert settings.report_deadline_day < settings.final_day <= 28


def test_values_of_the_wrong_type_say_what_was_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(VALID.replace("keluarga_balita = 239", 'keluarga_balita = "239"'))
    code, err = run_cli(capsys, "--config", str(path), "recap", "--month", "2026-11")
    assert code == 2 and "kampung[0].keluarga_balita: " in err and 'got "239"' in err


def test_a_config_path_that_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_cli(capsys, "--config", str(tmp_path), "run")
    assert code == 2
    assert one_line(err).startswith(f"kaderbot: {tmp_path}: cannot read the config file")


def test_a_config_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(VALID.replace("Sukamaju", "Suk\xe4maju").encode("latin-1"))
    code, err = run_cli(capsys, "--config", str(path), "run")
    assert code == 2
    line = one_line(err)
    assert str(path) in line and "not UTF-8" in line


def test_an_unreadable_config_file(tmp_path: Path) -> None:
    """Run as an unprivileged user (root reads any file), in a folder it may enter."""
    folder = tmp_path / "open"
    folder.mkdir()
    path = write_config(folder)
    path.chmod(0)
    command = [sys.executable, "-m", "bot", "--config", str(path), "run"]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to drop root's right to read any file")
        for directory in (folder, *folder.parents):
            directory.chmod(directory.stat().st_mode | 0o005)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr)
    assert str(path) in line and "cannot read the config file" in line


def _mount(disk: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], check=True)


def test_a_full_disk_at_a_fresh_start_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A disk with a few KiB left: the database file fits, its WAL index does not."""
    disk = tmp_path / "disk"
    _mount(disk, "1m")
    try:
        path = write_config(disk)
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * (free - 16 * 1024))
        code, err = run_cli(capsys, "--config", str(path), "export", "--month", "2026-11")
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    assert code == 1
    assert f"the database disk is full ({disk / 'kaderbot.db'})" in one_line(err)


def test_a_read_only_database_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "disk"
    _mount(disk, "8m")
    try:
        path = write_config(disk)
        assert main(["--config", str(path), "member", "list"]) == 0
        capsys.readouterr()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        code, err = run_cli(capsys, "--config", str(path), "member", "list")
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    assert code == 1
    line = one_line(err)
    assert str(disk / "kaderbot.db") in line and "writable" in line


def test_a_corrupt_database_is_named_and_debug_shows_details(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    database = tmp_path / "kaderbot.db"
    database.write_bytes(b"SQLite format 3\0" + bytes(range(256)) * 64)
    code, err = run_cli(capsys, "--config", str(path), "export", "--month", "2026-11")
    assert code == 1
    line = one_line(err)
    assert str(database) in line and "damaged" in line and "--debug shows details" in line
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--debug", "--config", str(path), "chat", "--user", "x"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr and str(database) in result.stderr.splitlines()[-1]
