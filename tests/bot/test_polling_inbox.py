"""Long polling loses nothing: an update is in the database before Telegram hears it arrived.

Telegram forgets an update once a later getUpdates names a higher offset. Each update is
stored in the inbox before that, and what the inbox still holds is handled at start.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from bot.app import open_runtime
from bot.config import load_config
from bot.polling import InboxPolling
from bot.telegram import TelegramChannel
from storage import Database, migrate
from tests.conftest import (
    TOKEN,
    TelegramUser,
    eventually,
    make_invite,
    stop_channel,
    write_config,
)
from tests.fakes.botapi import FakeBotApi
from tests.postgres import PostgresServer

KADER = 41


@asynccontextmanager
async def bot_process(config_path: Path, api: FakeBotApi) -> AsyncIterator[Callable[[], None]]:
    """`kaderbot run` in its own process; yields a function that kills it with SIGKILL."""
    env = {**os.environ, "KADERBOT_TEST_TOKEN": TOKEN}
    commands = len(api.calls_of("setMyCommands"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config_path), env=env
    )
    try:
        await api.wait_for_call("setMyCommands", commands + 1)
        yield lambda: process.send_signal(signal.SIGKILL)
    finally:
        await api.release_polls()
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()
        api.hold_polls()


async def halfway_through_a_report(config_path: Path, api: FakeBotApi) -> TelegramUser:
    """A kader registered and at the K question of a posyandu report, the bot stopped."""
    async with open_runtime(load_config(config_path)) as runtime:
        code = await make_invite(runtime)
    kader = TelegramUser(api, KADER, "Bu Tini")
    async with bot_process(config_path, api):
        await kader.say(f"/start {code}")
        await kader.say("/lapor")
        await kader.say("hari ini")
        assert "K: balita" in (await kader.say("50")).text
    return kader


async def answered(api: FakeBotApi, kader: TelegramUser, before: int) -> str:
    await eventually(lambda: len(kader.messages()) > before, 30)
    return kader.last.text


async def test_update_fetched_while_the_database_is_locked_survives_kill_9(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config_path = write_config(tmp_path, bot_api.base_url)
    kader = await halfway_through_a_report(config_path, bot_api)
    before = len(kader.messages())
    async with bot_process(config_path, bot_api) as kill:
        blocker = sqlite3.connect(tmp_path / "kaderbot.db", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's write lock
        try:
            update = await bot_api.user_says(KADER, "48")
            await eventually(lambda: bot_api.fetched >= update["update_id"])
            await asyncio.sleep(1)  # time enough to confirm it, were it confirmed unstored
            kill()
        finally:
            blocker.rollback()
            blocker.close()
    assert len(kader.messages()) == before, "killed before answering"
    async with bot_process(config_path, bot_api):
        assert "D: balita yang ditimbang" in await answered(bot_api, kader, before)


async def test_update_stored_and_confirmed_but_unhandled_is_handled_after_kill_9(
    tmp_path: Path, bot_api: FakeBotApi, postgres: PostgresServer
) -> None:
    """The turn waits on the kader's conversation row, locked by someone else; the update
    is already confirmed to Telegram when the bot is killed, so only the inbox has it."""
    admin = await asyncpg.connect(postgres.url)
    await admin.execute("CREATE DATABASE polling_inbox")
    await admin.close()
    url = postgres.database_url("polling_inbox")
    engine = Database(url).engine
    await migrate.upgrade(engine)
    await engine.dispose()
    config_path = write_config(tmp_path, bot_api.base_url, database_url=url)
    kader = await halfway_through_a_report(config_path, bot_api)
    before = len(kader.messages())
    async with bot_process(config_path, bot_api) as kill:
        blocker = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
        try:
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute(
                "SELECT * FROM conversation WHERE user_key = $1 FOR UPDATE", str(KADER)
            )
            update = await bot_api.user_says(KADER, "48")
            await eventually(lambda: bot_api.confirmed(update["update_id"]))
            kill()
            await transaction.rollback()
        finally:
            await blocker.close()
    assert len(kader.messages()) == before, "killed before answering"
    async with bot_process(config_path, bot_api):
        assert "D: balita yang ditimbang" in await answered(bot_api, kader, before)


async def test_the_inbox_keeps_nothing_once_handled(tmp_path: Path, bot_api: FakeBotApi) -> None:
    """Turns take their update out of the inbox; what no turn handles (an edited message)
    leaves it with the next batch or at a clean stop."""
    config = load_config(write_config(tmp_path, bot_api.base_url))
    async with open_runtime(config) as runtime:
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        await channel.start()
        try:
            stranger = TelegramUser(bot_api, 43, "Asing")
            edited = await bot_api.user_says(43, "halo")
            await bot_api.push(
                {"update_id": 900, "edited_message": {**edited["message"], "edit_date": 1}}
            )
            await bot_api.wait_for_sent(1)
            assert "belum terdaftar" in (await stranger.say("/lapor")).text
        finally:
            await stop_channel(bot_api, channel)
        assert await runtime.service.stored_inbound("telegram") == []


async def test_the_inbox_gets_each_update_as_telegram_sent_it(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    """What getUpdates answered is kept as sent (a field PTB does not know included),
    for the inbox, in the order of PTB's updates; anything else is serialised by PTB."""
    config = load_config(write_config(tmp_path, bot_api.base_url))
    async with open_runtime(config) as runtime:
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        await channel.app.initialize()
        try:
            first = await bot_api.user_says(44, "halo")
            second = {**(await bot_api.user_says(44, "lagi")), "x_new_field": {"a": [1, 2]}}
            bot_api.updates[-1] = second
            updates = await channel.app.bot.get_updates(timeout=0)
            polling = InboxPolling(channel.app, runtime.service, "telegram", [], channel.raw)
            kept = polling._raw_texts(updates)
            assert [json.loads(text) for text in kept] == [first, second]
            assert polling._raw_texts(updates[1:]) == [json.dumps(updates[1].to_dict())]
        finally:
            await channel.app.shutdown()
