"""An invite lets exactly one person in, however many use it at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlmodel import col, func, select

from bot.app import Runtime
from storage.models import Member
from tests.conftest import make_invite
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]
TRIALS = 10


async def test_one_invite_used_at_once_by_two_registers_one(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    for trial in range(TRIALS):
        code = await make_invite(runtime)
        users = (2000 + 2 * trial, 2001 + 2 * trial)
        before = len(bot_api.sent)
        # Both in one getUpdates answer: their turns run concurrently (different chats).
        await asyncio.gather(*(bot_api.user_says(user, f"/start {code}") for user in users))
        await bot_api.wait_for_sent(before + 2)
        replies = sorted(s.text for s in bot_api.sent[before:] if s.chat_id in users)
        assert len(replies) == 2
        assert sum("Selamat datang" in reply for reply in replies) == 1, replies
        assert sum(f"Kode undangan {code} sudah dipakai" in reply for reply in replies) == 1
        async with runtime.database.read() as session:
            keys = [str(user) for user in users]
            count = (
                await session.exec(
                    select(func.count()).select_from(Member).where(col(Member.user_key).in_(keys))
                )
            ).one()
        assert count == 1, f"trial {trial}: {count} members from one invite"
