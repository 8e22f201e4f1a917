"""Erased means erased: an erased member receives nothing and nothing names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.test_cli import chat_in_terminal, run_cli


def test_erased_ketua_is_never_a_recipient(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ("--config", str(config_path))
    _, out, _ = run_cli(capsys, "invite", *config, "--role", "ketua", "--kampung", "sukamaju")
    chat_in_terminal(config_path, [f"/start {out.split()[0]}"])
    _, out, _ = run_cli(capsys, "member", "list", *config)
    [member_id] = [line.split("\t")[0] for line in out.strip().splitlines()]
    code, _, err = run_cli(capsys, "member", "remove", *config, "--id", member_id)
    assert code == 0, err
    code, _, err = run_cli(capsys, "recap", *config, "--month", "2026-10", "--send")
    assert code == 0 and "queued for 0 of 0 ketua" in err
