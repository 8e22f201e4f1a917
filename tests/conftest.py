"""Fixtures that build real objects: a config file, a SQLite file, the fake Bot API."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlmodel import select

import storage
from bot.app import Runtime, open_runtime
from bot.config import Config, load_config
from bot.outbox import OutboxSender
from bot.telegram import TelegramChannel
from storage import Database, OutboxKind, Role, TextPayload, migrate
from storage.models import Conversation, Member, ProcessedUpdate
from tests.fakes.botapi import FakeBotApi, Sent
from tests.postgres import PostgresServer

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

[[kampung.unit]]
slug = "uppka-maju"
kind = "uppka"
name = "UPPKA Maju"

[[kampung.unit]]
slug = "pikr-generasi"
kind = "pikr"
name = "PIK-R Generasi Berencana"
"""


def write_config(
    directory: Path,
    api: str = "http://127.0.0.1:9",
    extra: str = "",
    database_url: str | None = None,
) -> Path:
    path = directory / "config.toml"
    text = BASE_CONFIG.format(db=directory / "kaderbot.db", api=api) + extra
    if database_url is not None:
        text = text.replace(
            f'url = "sqlite:///{directory / "kaderbot.db"}"', f'url = "{database_url}"'
        )
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """None for the SQLite file of the test; else a fresh PostgreSQL database, migrated."""
    if request.param == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"kb_{next(_databases)}"
    admin = await asyncpg.connect(server.url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = server.database_url(name)
    engine = Database(url).engine
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    yield url


@pytest.fixture
def config_path(tmp_path: Path, database_url: str | None) -> Path:
    return write_config(tmp_path, database_url=database_url)


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
    role: Role = "kader",
    kampung: str | None = "sukamaju",
    unit: str | None = "posyandu-melati",
    kecamatan: str | None = None,
    now: datetime = NOW,
) -> str:
    async with runtime.database.write() as session:
        codes = await storage.create_invites(
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


async def register(runtime: Runtime, user_key: str, **invite: str | None) -> int:
    """A Telegram member "Anggota <user_key>" registered from a fresh invite; their id."""
    code = await make_invite(runtime, **invite)  # type: ignore[arg-type]
    async with runtime.database.write() as session:
        found = await storage.find_invite(session, code)
        assert found is not None
        member = await storage.register_member(
            session,
            invite_id=found.id,
            channel="telegram",
            user_key=user_key,
            name=f"Anggota {user_key}",
            now=datetime.now(UTC),
        )
    assert member.id is not None
    return member.id


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

    async def say_expecting(self, text: str, count: int) -> list[Sent]:
        """Say `text` and wait for exactly `count` messages back (files take longer)."""
        before = len(self.messages())
        await self.api.user_says(self.user_id, text, self.name)
        async with asyncio.timeout(10), self.api.changed:
            await self.api.changed.wait_for(lambda: len(self.messages()) >= before + count)
        return self.messages()[before:]

    async def press(self, label: str, message: Sent | None = None) -> Sent:
        """Press `label` on `message`, or on the last message with buttons."""
        message = message or next(m for m in reversed(self.messages()) if m.buttons)
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
async def telegram(
    tmp_path: Path, bot_api: FakeBotApi, database_url: str | None
) -> AsyncIterator[Callable[[], Runtime]]:
    """The real PTB Application serving the fake Bot API; yields a getter of the runtime."""
    config = load_config(write_config(tmp_path, bot_api.base_url, database_url=database_url))
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


async def eventually(predicate: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait until `predicate()` holds, for what another process does (logs, sends)."""
    async with asyncio.timeout(seconds):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.1)


async def queue_texts(
    runtime: Runtime, count: int, *, recipients: int | None = None, start: int = 0
) -> None:
    """Queue `count` outbox texts "antrean N" to `recipients` new Telegram members (one
    each by default), as the schedule would."""
    now = datetime.now(UTC)
    async with runtime.database.write() as session:
        members = [
            Member(
                channel="telegram",
                user_key=str(9000 + start + n),
                name=f"K{start + n}",
                role="kader",
                created_at=now,
            )
            for n in range(recipients or count)
        ]
        session.add_all(members)
        await session.flush()
        for n in range(start, start + count):
            member_id = members[(n - start) % len(members)].id
            assert member_id is not None
            await storage.enqueue(
                session,
                kind=OutboxKind.TEXT,
                member_id=member_id,
                period=f"antrean-{n}",
                payload=TextPayload(text=f"antrean {n}"),
                now=now,
            )


async def stored(runtime: Runtime) -> tuple[int, int, int]:
    """How many members, conversation rows and processed update ids the database holds."""
    async with runtime.database.read() as session:
        members = len((await session.exec(select(Member))).all())
        states = len((await session.exec(select(Conversation))).all())
        updates = len((await session.exec(select(ProcessedUpdate))).all())
    return members, states, updates


async def drain_outbox(sender: OutboxSender, runtime: Runtime, seconds: float = 30) -> None:
    """Run the outbox sender until no row is pending (failed and retried rows included)."""
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async with asyncio.timeout(seconds):
            while True:
                async with runtime.database.read() as session:
                    rows = await storage.outbox_rows(session)
                if all(row.status != "pending" for row in rows):
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
