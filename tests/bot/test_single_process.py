"""One `kaderbot run` per SQLite file: a second one refuses, so only one ever leads."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.app import open_runtime
from bot.config import load_config
from tests.conftest import TOKEN, eventually, queue_texts, write_config
from tests.fakes.botapi import FakeBotApi


async def test_second_run_on_one_sqlite_file_refuses_naming_file_and_holder(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config_path = write_config(tmp_path, bot_api.base_url)
    async with open_runtime(load_config(config_path)) as runtime:
        await queue_texts(runtime, 3)
    env = {**os.environ, "KADERBOT_TEST_TOKEN": TOKEN}
    command = [sys.executable, "-m", "bot", "--config", str(config_path)]

    def queued() -> Counter[str]:
        return Counter(s.text for s in bot_api.sent if s.text.startswith("antrean"))

    processes: list[asyncio.subprocess.Process] = []

    async def start(*args: str) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            *command, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        processes.append(process)
        return process

    try:
        first = await start("run")
        await eventually(lambda: len(queued()) == 3)
        second = await start("run")
        async with asyncio.timeout(30):
            _, err = await second.communicate()
        assert second.returncode == 1
        [line] = err.decode().strip().splitlines()
        assert str(tmp_path / "kaderbot.db") in line and f"pid {first.pid}" in line

        # Short commands share the file with the running bot, as SQLite allows.
        invite = await start("invite", "--role", "ketua", "--kampung", "sukamaju")
        async with asyncio.timeout(30):
            out, _ = await invite.communicate()
        assert invite.returncode == 0 and out.strip()

        # kill -9 leaves no stale lock: the kernel releases it with the process.
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await bot_api.release_polls()
        bot_api.hold_polls()
        commands = len(bot_api.calls_of("setMyCommands"))
        third = await start("run")
        await bot_api.wait_for_call("setMyCommands", commands + 1)
        assert third.returncode is None, "the next run starts"
    finally:
        await bot_api.release_polls()
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()
    assert set(queued().values()) == {1}, "each queued message sent once"
