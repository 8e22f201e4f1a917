"""Fixtures that build real objects: a config file, a SQLite file, the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Runtime, open_runtime
from bot.config import Config, load_config
from bot.telegram import TelegramChannel
from storage import repo
from tests.fakes.botapi import FakeBotApi, Sent

# Friday 20 November 2026, 10:00 in Jakarta.
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
TOKEN = "123456:TEST-token"

BASE_CONFIG = """
[database]
url = "sqlite:///{db}"

[telegram]
token_env = "KADERBOT_TEST_TOKEN"
api_base_url = "{api}"
bot_username = "KaderTestBot"

[[kampung]]
slug = "sukamaju"
name = "Kampung KB Sukamaju"
kelurahan = "Sukamaju"
kecamatan = "Cibeunying"
kabupaten = "Kota Bandung"
timezone = "Asia/Jakarta"
keluarga_balita = 239

[[kampung.unit]]
slug = "posyandu-melati"
kind = "posyandu"
name = "Posyandu Melati"
rw = "01"
meets = "day 10"

[[kampung.unit]]
slug = "posyandu-mawar"
kind = "posyandu"
name = "Posyandu Mawar"
meets = "second tuesday"

[[kampung.unit]]
slug = "bkb-ceria"
kind = "bkb"
name = "BKB Ceria"

[[kampung.unit]]
slug = "bkr-harapan"
kind = "bkr"
name = "BKR Harapan"

[[kampung.unit]]
slug = "bkl-bahagia"
kind = "bkl"
name = "BKL Bahagia"

[[kampung.unit]]
slug = "kb-sukamaju"
kind = "kb"
name = "PPKBD Sukamaju"

[[kampung]]
slug = "mekarsari"
name = "Kampung KB Mekarsari"
kelurahan = "Mekarsari"
kecamatan = "Cibeunying"
kabupaten = "Kota Bandung"
timezone = "Asia/Makassar"

[[kampung.unit]]
slug = "posyandu-anggrek"
kind = "posyandu"
name = "Posyandu Anggrek"
"""


def write_config(directory: Path, api: str = "http://127.0.0.1:9", extra: str = "") -> Path:
    path = directory / "config.toml"
    path.write_text(BASE_CONFIG.format(db=directory / "kaderbot.db", api=api) + extra)
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def config(config_path: Path) -> Config:
    return load_config(config_path)


@pytest.fixture
async def runtime(config: Config) -> AsyncIterator[Runtime]:
    async with open_runtime(config) as opened:
        opened.service.clock = lambda: NOW
        yield opened


async def make_invite(
    runtime: Runtime,
    role: str = "kader",
    kampung: str | None = "sukamaju",
    unit: str | None = "posyandu-melati",
    kecamatan: str | None = None,
    now: datetime = NOW,
) -> str:
    async with runtime.sessions() as session, session.begin():
        codes = await repo.create_invites(
            session,
            role=role,
            kampung_slug=kampung,
            unit_slug=unit,
            kecamatan=kecamatan,
            count=1,
            now=now,
            valid_for=timedelta(days=7),
        )
    return codes[0]


# Time the bot gets to finish a turn after its first message, before the test reads it.
QUIET_SECONDS = 0.05


class TelegramUser:
    """A person in a private chat with the bot, through the fake Bot API."""

    def __init__(self, api: FakeBotApi, user_id: int, name: str) -> None:
        self.api, self.user_id, self.name = api, user_id, name

    def messages(self) -> list[Sent]:
        return [sent for sent in self.api.sent if sent.chat_id == self.user_id]

    @property
    def last(self) -> Sent:
        return self.messages()[-1]

    async def _wait_reply(self, before: int) -> Sent:
        await self.api.wait_for_sent(before + 1)
        while True:
            count = len(self.api.sent)
            await asyncio.sleep(QUIET_SECONDS)
            if len(self.api.sent) == count:
                break
        return self.last

    async def say(self, text: str) -> Sent:
        before = len(self.api.sent)
        await self.api.user_says(self.user_id, text, self.name)
        return await self._wait_reply(before)

    async def press(self, label: str) -> Sent:
        message = next(m for m in reversed(self.messages()) if m.buttons)
        data = dict(message.buttons)[label] if label in message.labels else None
        assert data is not None, f"no button {label!r} in {message.labels}"
        before = len(self.api.sent)
        await self.api.user_presses(self.user_id, message, data, self.name)
        return await self._wait_reply(before)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram(tmp_path: Path, bot_api: FakeBotApi) -> AsyncIterator[Callable[[], Runtime]]:
    """The real PTB Application serving the fake Bot API; yields a getter of the runtime."""
    config = load_config(write_config(tmp_path, bot_api.base_url))
    async with open_runtime(config) as opened:
        opened.service.clock = lambda: NOW
        channel = TelegramChannel(opened.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            yield lambda: opened
        finally:
            await stop_channel(bot_api, channel)


async def stop_channel(api: FakeBotApi, channel: TelegramChannel) -> None:
    """Stop the bot without waiting out its long poll."""
    await api.release_polls()
    await channel.stop()
    api.hold_polls()
