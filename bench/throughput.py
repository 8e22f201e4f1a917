"""Updates per second: KaderBot's posyandu conversation against a bare PTB echo bot.

Both run the real python-telegram-bot client against the fake Bot API on 127.0.0.1. Each of
N simulated kader answers as soon as the bot replies, so the measure is how fast a process
turns updates into replies. KaderBot persists every update (SQLite, WAL); the echo bot
persists nothing: its rate is the ceiling PTB and the fake server allow on this machine.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

import storage
from bot.app import open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from tests.conftest import TOKEN, stop_channel, write_config
from tests.fakes.botapi import FakeBotApi, Sent

# One whole posyandu report, typed: S K D N, T O B, 2T skipped, BGM, bumil, kader, no note.
ANSWERS = ["/lapor", "hari ini", "50", "48", "45", "40", "3", "1", "1", "lewati", "1", "6", "5"]
ANSWERS += ["lewati", "simpan"]


@dataclass
class Rate:
    updates: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


class ScriptedUsers:
    """Each user sends its next line as soon as the bot has answered the previous one."""

    def __init__(self, api: FakeBotApi, scripts: dict[int, list[str]]) -> None:
        self.api = api
        self.scripts = scripts
        self.position = dict.fromkeys(scripts, 0)
        self.done = asyncio.Event()
        self.finished = 0
        self.sent_updates = 0

    async def on_reply(self, sent: Sent) -> None:
        chat = sent.chat_id
        if chat not in self.scripts:
            return
        self.position[chat] += 1
        if self.position[chat] < len(self.scripts[chat]):
            await self._send(chat)
        else:
            self.finished += 1
            if self.finished == len(self.scripts):
                self.done.set()

    async def _send(self, chat: int) -> None:
        self.sent_updates += 1
        await self.api.user_says(chat, self.scripts[chat][self.position[chat]])

    async def run(self) -> Rate:
        started = time.perf_counter()
        for chat in self.scripts:
            await self._send(chat)
        await asyncio.wait_for(self.done.wait(), 600)
        return Rate(self.sent_updates, time.perf_counter() - started)


async def _with_api(body: Callable[[FakeBotApi], Awaitable[Rate]]) -> Rate:
    api = FakeBotApi()
    await api.start()
    try:
        return await body(api)
    finally:
        await api.stop()


async def kaderbot_rate(users: int) -> Rate:
    async def body(api: FakeBotApi) -> Rate:
        with tempfile.TemporaryDirectory() as folder:
            config = load_config(write_config(Path(folder), api.base_url))
            async with open_runtime(config) as runtime:
                scripts = {}
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
                for n, code in enumerate(codes):
                    scripts[20_000 + n] = [f"/start {code}", *ANSWERS]
                channel = TelegramChannel(runtime.service, TOKEN, api.base_url)
                await channel.start()
                driver = ScriptedUsers(api, scripts)
                api.on_send = driver.on_reply
                try:
                    rate = await driver.run()
                finally:
                    await stop_channel(api, channel)
                async with runtime.database.read() as session:
                    saved = await storage.export_rows(
                        session, period=storage.utc_now().strftime("%Y-%m")
                    )
                assert len({r.revision for r in saved}) == 1 and saved, "every report stored"
                return rate

    return await _with_api(body)


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
