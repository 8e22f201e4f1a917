"""Guessing invite codes: after five wrong codes within 15 minutes a chat waits.

Through the real python-telegram-bot client and the fake Bot API; the count lives in the
database, so a restart does not reset it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from tests.conftest import NOW, TOKEN, TelegramUser, make_invite, stop_channel, write_config
from tests.fakes.botapi import FakeBotApi

WAIT = "tunggu"


async def test_forty_wrong_codes_get_five_tries_then_a_wait(
    tmp_path: Path,
    bot_api: FakeBotApi,
    database_url: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = load_config(write_config(tmp_path, bot_api.base_url, database_url=database_url))
    clock = [NOW]
    guesser = TelegramUser(bot_api, 90, "Penebak")
    async with open_runtime(config) as runtime:
        runtime.service.clock = lambda: clock[0]
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            with caplog.at_level(logging.INFO):
                replies = []
                for n in range(40):
                    clock[0] = NOW + timedelta(seconds=10 * n)
                    replies.append((await guesser.say(f"/start WRONG{n:03d}")).text)
            code = await make_invite(runtime)
            refused = (await guesser.say(f"/start {code}")).text
        finally:
            await stop_channel(bot_api, channel)

        assert len(guesser.messages()) == 41, "one answer to each message"
        assert all("tidak dikenal" in text for text in replies[:5]), "five tries"
        assert WAIT not in replies[3].lower() and WAIT in replies[4].lower()
        for text in replies[5:]:
            assert "tidak dikenal" not in text, "no sixth try"
            assert WAIT in text.lower() and "menit" in text
        assert WAIT in refused.lower() and "Selamat datang" not in refused
        warnings = [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and r.name.startswith("handlers")
        ]
        assert len(warnings) == 1, warnings
        assert "telegram" in warnings[0] and "90" in warnings[0]

    # A restart does not reset the count: it lives in the database.
    async with open_runtime(config) as runtime:
        runtime.service.clock = lambda: clock[0]
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            reply = await guesser.say(f"/start {code}")
            assert WAIT in reply.text.lower(), "still waiting after a restart"
            clock[0] += timedelta(minutes=16)
            reply = await guesser.say(f"/start {code}")
            assert "Selamat datang" in reply.text, "after the wait, a right code works"
        finally:
            await stop_channel(bot_api, channel)


async def test_a_few_mistakes_spread_over_time_never_lock_anyone_out(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config = load_config(write_config(tmp_path, bot_api.base_url))
    clock = [NOW]
    kader = TelegramUser(bot_api, 91, "Bu Ani")
    async with open_runtime(config) as runtime:
        runtime.service.clock = lambda: clock[0]
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            for n in range(8):  # a typo every ten minutes: never five within 15 minutes
                clock[0] = NOW + timedelta(minutes=10 * n)
                reply = await kader.say(f"/start TYPO{n:04d}")
                assert "tidak dikenal" in reply.text and WAIT not in reply.text.lower()
                await kader.say("halo")  # other messages in between change nothing
            code = await make_invite(runtime, now=clock[0])
            reply = await kader.say(f"/start {code}")
            assert "Selamat datang" in reply.text
        finally:
            await stop_channel(bot_api, channel)
