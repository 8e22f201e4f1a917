"""Outbox drain rate against a fake Bot API that refuses more than 30 sends a second."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import storage
from bot.app import open_runtime
from bot.config import load_config
from bot.outbox import OutboxSender
from bot.telegram import TelegramChannel
from handlers.service import system_clock
from tests.conftest import TOKEN, queue_texts, write_config
from tests.fakes.botapi import FakeBotApi

CEILING = 30.0  # the fake server's (and Telegram's) limit, messages per second


@dataclass
class DrainResult:
    messages: int
    seconds: float
    rate: float
    lost: int
    duplicates: int
    refused: int


async def drain(messages: int = 2000, recipients: int = 500) -> DrainResult:
    api = FakeBotApi()
    await api.start()
    api.limit_per_second = CEILING
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(write_config(Path(folder), api.base_url))
        async with open_runtime(config) as runtime:
            await queue_texts(runtime, messages, recipients=recipients)
            channel = TelegramChannel(runtime.service, TOKEN, api.base_url)
            await channel.app.initialize()
            sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock)
            stop = asyncio.Event()
            started = time.perf_counter()
            task = asyncio.create_task(sender.run(stop))
            while True:
                async with runtime.database.read() as session:
                    pending = len(await storage.due_outbox(session, datetime.now(UTC), 1))
                    rows = await storage.outbox_rows(session) if not pending else []
                if not pending and all(r.status != "pending" for r in rows):
                    break
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - started
            stop.set()
            await task
            await channel.app.shutdown()
    await api.stop()
    counts = Counter(sent.text for sent in api.sent)
    return DrainResult(
        messages=messages,
        seconds=seconds,
        rate=messages / seconds,
        lost=messages - len(counts),
        duplicates=sum(c - 1 for c in counts.values()),
        refused=api.refused,
    )


if __name__ == "__main__":
    print(asyncio.run(drain()))
