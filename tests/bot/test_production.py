"""Webhook mode, several workers on one PostgreSQL database, and faults."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import storage
from bot.app import Runtime, open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from tests.conftest import NOW, TOKEN, eventually, make_invite, queue_texts, write_config
from tests.fakes.botapi import FakeBotApi
from tests.postgres import PostgresServer

SECRET = "webhook-secret-0123456789"
WEBHOOK = (
    '\nwebhook_url = "https://bot.example.org/telegram"\nwebhook_listen = "127.0.0.1:{port}"\n'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_updates = iter(range(50_000, 10_000_000))


def update_json(user_id: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 1,
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Bu Tini"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id or next(_updates), "message": message}


async def deliver(
    http: httpx.AsyncClient, port: int, update: dict[str, Any], secret: str | None = SECRET
) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    response = await http.post(
        f"http://127.0.0.1:{port}/telegram", json=update, headers=headers, timeout=30
    )
    return response.status_code


async def test_webhook_accepts_only_the_secret_and_handles_each_update_once(
    tmp_path: Path, bot_api: FakeBotApi, database_url: str | None
) -> None:
    port = free_port()
    path = write_config(tmp_path, bot_api.base_url, database_url=database_url)
    path.write_text(
        path.read_text().replace(
            'bot_username = "KaderTestBot"\n',
            'bot_username = "KaderTestBot"' + WEBHOOK.format(port=port),
        )
    )
    config = load_config(path)
    assert config.telegram.webhook_url
    async with open_runtime(config) as runtime, httpx.AsyncClient() as http:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        await channel.start_webhook(config.telegram.webhook_url, f"127.0.0.1:{port}", SECRET)
        try:
            [hook] = bot_api.calls_of("setWebhook")
            assert (
                hook["url"] == "https://bot.example.org/telegram" and hook["secret_token"] == SECRET
            )
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
            code = await make_invite(runtime)
            assert await deliver(http, port, update_json(70, f"/start {code}"), secret=None) == 403
            assert (
                await deliver(http, port, update_json(70, f"/start {code}"), "wrong-secret-xyz")
                == 403
            )
            assert bot_api.sent == [], "a refused request changes nothing"
            first = update_json(70, f"/start {code}")
            assert await deliver(http, port, first) == 200
            assert "Selamat datang" in bot_api.sent[-1].text  # handled before the 200
            assert await deliver(http, port, first) == 200  # Telegram re-sends after a timeout
            assert len(bot_api.sent) == 1
            response = await http.post(
                f"http://127.0.0.1:{port}/telegram",
                content=b"{nope",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert response.status_code == 400
        finally:
            await channel.stop()


async def test_database_restart_mid_conversation(
    tmp_path: Path, bot_api: FakeBotApi, postgres: PostgresServer
) -> None:
    """The user gets a 'try again' while the database is down, and nothing half written."""
    from tests.conftest import TelegramUser, stop_channel

    admin_url = postgres.url
    import asyncpg

    admin = await asyncpg.connect(admin_url)
    await admin.execute("CREATE DATABASE restart_test")
    await admin.close()
    url = postgres.database_url("restart_test")
    path = write_config(tmp_path, bot_api.base_url, database_url=url)
    from storage import Database, migrate

    engine = Database(url).engine
    await migrate.upgrade(engine)
    await engine.dispose()
    async with open_runtime(load_config(path)) as runtime:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        await channel.start()
        try:
            code = await make_invite(runtime)
            kader = TelegramUser(bot_api, 71, "Bu Tini")
            await kader.say(f"/start {code}")
            await kader.say("/lapor")
            await kader.say("10/11")
            postgres.pg_ctl("stop")
            try:
                reply = await kader.say("50")
                assert "sedang ada gangguan" in reply.text and "belum tersimpan" in reply.text
            finally:
                postgres.pg_ctl("start")
            reply = await kader.say("50")
            assert "K: balita" in reply.text, "the answer lost to the outage is asked again"
            reply = await kader.say("48")
            assert "D: balita" in reply.text
        finally:
            await stop_channel(bot_api, channel)


def _worker_config(tmp_path: Path, name: str, api: str, url: str, port: int) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    path = write_config(folder, api, database_url=url)
    path.write_text(
        path.read_text().replace(
            'bot_username = "KaderTestBot"\n',
            'bot_username = "KaderTestBot"' + WEBHOOK.format(port=port),
        )
    )
    return path


class Worker:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process, self.port = process, port
        self.log: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.log.append(line.decode())

    @property
    def leads(self) -> bool:
        return any("this worker leads" in line for line in self.log)


async def test_two_workers_share_one_database_and_one_leader(
    tmp_path: Path, bot_api: FakeBotApi, postgres: PostgresServer
) -> None:
    import asyncpg

    admin = await asyncpg.connect(postgres.url)
    await admin.execute("CREATE DATABASE two_workers")
    await admin.close()
    url = postgres.database_url("two_workers")
    ports = [free_port(), free_port()]
    paths = [_worker_config(tmp_path, f"w{n}", bot_api.base_url, url, ports[n]) for n in (0, 1)]
    env = {**os.environ, "KADERBOT_TEST_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}

    async def run(*args: str) -> int:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, env=env)
        return await process.wait()

    # A PostgreSQL database is upgraded on purpose; run refuses an empty one.
    assert await run("run", "--config", str(paths[0])) == 1
    assert await run("db", "upgrade", "--config", str(paths[0])) == 0

    async with open_runtime(load_config(paths[0])) as runtime:
        await queue_texts(runtime, 12)
        code = await make_invite(runtime)

    workers = []
    for n in (0, 1):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(paths[n]),
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        workers.append(Worker(process, ports[n]))
    try:
        async with httpx.AsyncClient() as http:
            async with asyncio.timeout(30):
                for worker in workers:
                    while True:
                        try:
                            if (
                                await http.get(f"http://127.0.0.1:{worker.port}/healthz")
                            ).status_code == 200:
                                break
                        except httpx.ConnectError:
                            pass
                        await asyncio.sleep(0.1)
            # One conversation, its updates spread over both workers; one update to both.
            steps = [f"/start {code}", "/lapor", "10/11", "50", "48"]
            for number, text in enumerate(steps):
                update = update_json(72, text)
                assert await deliver(http, workers[number % 2].port, update) == 200
                if text == "10/11":
                    assert await deliver(http, workers[1].port, update) == 200
            replies = [s.text for s in bot_api.sent if s.chat_id == 72]
            assert len(replies) == len(steps), "each update answered once"
            assert "D: balita yang ditimbang" in replies[-1]

            await eventually(lambda: _queued_count(bot_api) == 12)
            # Killed only once the sends are recorded: a message on the wire at the moment
            # of a kill -9 may go twice (Telegram has no idempotency key; README says so).
            async with asyncio.timeout(30), open_runtime(load_config(paths[1])) as runtime:
                for _ in range(300):
                    if await _sent_rows(runtime) == 12:
                        break
                    await asyncio.sleep(0.1)
            leaders = [w for w in workers if w.leads]
            assert len(leaders) == 1, "exactly one worker runs the schedule and the outbox"
            leader = leaders[0]
            follower = workers[1 - workers.index(leader)]

            leader.process.send_signal(signal.SIGKILL)
            await leader.process.wait()
            async with open_runtime(load_config(paths[1])) as runtime:
                await queue_texts(runtime, 6, start=12)
            # The follower takes over within a minute and sends what was queued since.
            await eventually(lambda: follower.leads and _queued_count(bot_api) == 18, 60)
    finally:
        for worker in workers:
            if worker.process.returncode is None:
                worker.process.send_signal(signal.SIGTERM)
                await worker.process.wait()
            worker.reader.cancel()
    counts = Counter(s.text for s in bot_api.sent if s.text.startswith("antrean"))
    assert len(counts) == 18 and set(counts.values()) == {1}, "no message sent twice"


async def _sent_rows(runtime: Runtime) -> int:
    async with runtime.database.read() as session:
        return sum(1 for row in await storage.outbox_rows(session) if row.status == "sent")


def _queued_count(api: FakeBotApi) -> int:
    return len({s.text for s in api.sent if s.text.startswith("antrean")})


def test_full_disk_is_reported_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real full disk: the SQLite file on a 1 MiB tmpfs."""
    from bot.cli import main

    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        path = write_config(disk)
        args = ["--config", str(path), "invite", "--role", "kader", "--kampung", "sukamaju"]
        assert main([*args, "--unit", "posyandu-melati"]) == 0
        capsys.readouterr()
        code = 0
        for _ in range(40):  # 500 codes at a time until the disk is full
            code = main([*args, "--unit", "posyandu-melati", "--count", "500"])
            if code:
                break
        err = capsys.readouterr().err
    finally:
        subprocess.run(["umount", str(disk)], check=False)
    assert code == 1
    assert "the database disk is full" in err and str(disk / "kaderbot.db") in err
    assert "Traceback" not in err


GetRuntime = Callable[[], Runtime]
