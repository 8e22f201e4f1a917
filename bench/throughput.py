"""Updates per second: KaderBot's posyandu conversation against a bare PTB echo bot.

Both run the real python-telegram-bot client against the fake Bot API on 127.0.0.1. Each of
N simulated kader answers as soon as the bot replies, so the measure is how fast a process
turns updates into replies. KaderBot persists every update (SQLite, WAL); the echo bot
persists nothing: its rate is the ceiling PTB and the fake server allow on this machine.
Each update is also timed from the moment it reaches the bot (the getUpdates answer that
carries it leaves the fake server; in webhook mode, its POST is sent) to the moment the
reply reaches the fake server.

On PostgreSQL, `webhook_rate` runs 1 or 2 `kaderbot run` worker processes behind webhook
addresses, the updates of each kader spread over them in turn.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

import storage
from bot.app import open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from storage import Database, migrate
from storage.models import Outbox
from tests.bot.test_production import SECRET, WEBHOOK, free_port, update_json
from tests.conftest import TOKEN, stop_channel, write_config
from tests.fakes.botapi import FakeBotApi, Sent

# One whole posyandu report, typed: S K D N, T O B, 2T skipped, BGM, bumil, kader, no note.
ANSWERS = ["/lapor", "hari ini", "50", "48", "45", "40", "3", "1", "1", "lewati", "1", "6", "5"]
ANSWERS += ["lewati", "simpan"]


@dataclass
class Rate:
    updates: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered update

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def latency_ms(self, percent: int) -> float:
        """The `percent` percentile of the update-to-reply times, in milliseconds."""
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[percent - 1] * 1000


class ScriptedUsers:
    """Each user sends its next line as soon as the bot has answered the previous one."""

    def __init__(self, api: FakeBotApi, scripts: dict[int, list[str]]) -> None:
        self.api = api
        self.scripts = scripts
        self.position = dict.fromkeys(scripts, 0)
        self.done = asyncio.Event()
        self.finished = 0
        self.sent_updates = 0
        self.waiting: dict[int, int] = {}  # chat -> the update id it waits an answer to
        self.reached: dict[int, float] = {}  # update id -> when it reached the bot
        self.latencies: list[float] = []
        api.on_fetch = self.on_fetch

    def on_fetch(self, updates: list[dict[str, Any]]) -> None:
        now = time.perf_counter()
        for update in updates:
            self.reached.setdefault(update["update_id"], now)

    async def on_reply(self, sent: Sent) -> None:
        chat = sent.chat_id
        if chat not in self.scripts:
            return
        reached = self.reached.get(self.waiting.get(chat, -1))
        if reached is not None:
            self.latencies.append(time.perf_counter() - reached)
        self.position[chat] += 1
        if self.position[chat] < len(self.scripts[chat]):
            await self._send(chat)
        else:
            self.finished += 1
            if self.finished == len(self.scripts):
                self.done.set()

    async def _send(self, chat: int) -> None:
        self.sent_updates += 1
        update = await self.api.user_says(chat, self.scripts[chat][self.position[chat]])
        self.waiting[chat] = update["update_id"]

    async def run(self) -> Rate:
        started = time.perf_counter()
        for chat in self.scripts:
            await self._send(chat)
        await asyncio.wait_for(self.done.wait(), 600)
        return Rate(self.sent_updates, time.perf_counter() - started, self.latencies)


class WebhookUsers(ScriptedUsers):
    """The same users, their updates POSTed to the workers' webhooks in turn (a load
    balancer that keeps no affinity: any worker may get any update)."""

    def __init__(self, api: FakeBotApi, scripts: dict[int, list[str]], ports: list[int]) -> None:
        super().__init__(api, scripts)
        self.ports = ports
        self.http = httpx.AsyncClient(timeout=60)
        self.posts: set[asyncio.Task[None]] = set()
        self.next_id = 1

    async def _send(self, chat: int) -> None:
        # Not awaited: the worker answers the POST only after its reply was accepted, and
        # that reply is what calls this.
        self.sent_updates += 1
        update = update_json(chat, self.scripts[chat][self.position[chat]], self.next_id)
        port = self.ports[self.next_id % len(self.ports)]
        self.waiting[chat] = self.next_id
        self.reached[self.next_id] = time.perf_counter()
        self.next_id += 1
        task = asyncio.create_task(self._post(port, update))
        self.posts.add(task)
        task.add_done_callback(self.posts.discard)

    async def _post(self, port: int, update: dict[str, Any]) -> None:
        response = await self.http.post(
            f"http://127.0.0.1:{port}/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        response.raise_for_status()


async def _with_api(body: Callable[[FakeBotApi], Awaitable[Rate]]) -> Rate:
    api = FakeBotApi()
    await api.start()
    try:
        return await body(api)
    finally:
        await api.stop()


KETUA = 2  # registered in the kader's Kampung KB, as in every real one


async def _register_ketua(runtime: Any, count: int) -> None:
    """The Kampung KB's ketua, so that each saved report queues its review to them (the
    notice of the hour, then a digest row per ketua), as a saved report does in real
    life. Their chats are not in the scripts: what reaches them is not counted."""
    async with runtime.database.write() as session:
        now = storage.utc_now()
        codes = await storage.create_invites(
            session,
            role="ketua",
            kampung_slug="sukamaju",
            unit_slug=None,
            kecamatan=None,
            count=count,
            now=now,
            valid_for=timedelta(days=1),
        )
        for n, code in enumerate(codes):
            invite = await storage.find_invite(session, code)
            assert invite is not None
            await storage.register_member(
                session,
                invite_id=invite.id,
                channel="telegram",
                user_key=str(10_000 + n),
                name=f"Ketua {n + 1}",
                now=now,
            )


async def _scripts(runtime: Any, users: int) -> dict[int, list[str]]:
    """Each user's lines: /start with an invite of their own, then the report."""
    await _register_ketua(runtime, KETUA)
    async with runtime.database.write() as session:
        codes = await storage.create_invites(
            session,
            role="kader",
            kampung_slug="sukamaju",
            unit_slug="posyandu-melati",
            kecamatan=None,
            count=users,
            now=storage.utc_now(),
            valid_for=timedelta(days=1),
        )
    return {20_000 + n: [f"/start {code}", *ANSWERS] for n, code in enumerate(codes)}


async def _all_stored(runtime: Any) -> None:
    async with runtime.database.read() as session:
        saved = await storage.export_rows(session, period=storage.utc_now().strftime("%Y-%m"))
    assert len({r.revision for r in saved}) == 1 and saved, "every report stored"
    async with runtime.database.read() as session:
        query = select(Outbox.kind, func.count()).group_by(col(Outbox.kind))
        queued = dict((await session.exec(query)).all())
    # Each ketua: the hour's notice (the first report) and the hour's digest (the rest).
    assert queued.get(storage.OutboxKind.NOTICE.value, 0) >= KETUA, queued
    assert queued.get(storage.OutboxKind.REVIEW_DIGEST.value, 0) >= KETUA, queued


async def kaderbot_rate(users: int) -> Rate:
    async def body(api: FakeBotApi) -> Rate:
        with tempfile.TemporaryDirectory() as folder:
            config = load_config(write_config(Path(folder), api.base_url))
            async with open_runtime(config) as runtime:
                scripts = await _scripts(runtime, users)
                channel = TelegramChannel(runtime.service, TOKEN, api.base_url)
                await channel.start()
                driver = ScriptedUsers(api, scripts)
                api.on_send = driver.on_reply
                try:
                    rate = await driver.run()
                finally:
                    await stop_channel(api, channel)
                await _all_stored(runtime)
                return rate

    return await _with_api(body)


async def webhook_rate(users: int, database_url: str, workers: int) -> Rate:
    """`workers` processes of `kaderbot run` on one (empty) PostgreSQL database."""

    async def body(api: FakeBotApi) -> Rate:
        engine = Database(database_url).engine
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()
        env = {**os.environ, "KADERBOT_TEST_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
        with tempfile.TemporaryDirectory() as folder:
            ports, paths = [], []
            for n in range(workers):
                ports.append(free_port())
                (Path(folder) / f"w{n}").mkdir()
                path = write_config(Path(folder) / f"w{n}", api.base_url, database_url=database_url)
                path.write_text(
                    path.read_text().replace(
                        'bot_username = "KaderTestBot"\n',
                        'bot_username = "KaderTestBot"' + WEBHOOK.format(port=ports[n]),
                    )
                )
                paths.append(path)
            async with open_runtime(load_config(paths[0])) as runtime:
                scripts = await _scripts(runtime, users)
            processes = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--config",
                    str(path),
                    env=env,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                for path in paths
            ]
            driver = WebhookUsers(api, scripts, ports)
            api.on_send = driver.on_reply
            try:
                await _wait_healthy(driver.http, ports)
                rate = await driver.run()
            finally:
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                    await process.wait()
                await driver.http.aclose()
            async with open_runtime(load_config(paths[0])) as runtime:
                await _all_stored(runtime)
            return rate

    return await _with_api(body)


async def _wait_healthy(http: httpx.AsyncClient, ports: list[int]) -> None:
    async with asyncio.timeout(60):
        for port in ports:
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)


async def echo_rate(users: int) -> Rate:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await context.bot.send_message(message.chat_id, message.text)

    async def body(api: FakeBotApi) -> Rate:
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"{api.base_url}/bot{{token}}")
            .concurrent_updates(True)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        scripts = {30_000 + n: ["/start x", *ANSWERS] for n in range(users)}
        driver = ScriptedUsers(api, scripts)
        api.on_send = driver.on_reply
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling()
        try:
            return await driver.run()
        finally:
            await api.release_polls()
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    return await _with_api(body)


if __name__ == "__main__":
    echo = asyncio.run(echo_rate(50))
    ours = asyncio.run(kaderbot_rate(50))
    print(f"echo {echo.per_second:.0f}/s, kaderbot {ours.per_second:.0f}/s")
