"""Erased means erased: an erased member receives nothing and nothing names them."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

import storage
from bot.app import Runtime
from handlers.service import PROCESSED_UPDATE_TTL
from storage import OutboxKind, TextPayload
from tests.bot.test_cli import chat_in_terminal, run_cli
from tests.conftest import NOW, TelegramUser, make_invite
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]


def test_erased_ketua_is_never_a_recipient(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ("--config", str(config_path))
    _, out, _ = run_cli(capsys, "invite", *config, "--role", "ketua", "--kampung", "sukamaju")
    chat_in_terminal(config_path, [f"/start {out.split()[0]}"])
    _, out, _ = run_cli(capsys, "member", "list", *config)
    [member_id] = [line.split("\t")[0] for line in out.strip().splitlines()]
    code, _, err = run_cli(capsys, "member", "remove", *config, "--id", member_id)
    assert code == 0, err
    code, _, err = run_cli(capsys, "recap", *config, "--month", "2026-10", "--send")
    assert code == 0 and "queued for 0 of 0 ketua" in err


CHAT = 987_654_321
NAME = "Bu Rahasia"


async def rows_naming(runtime: Runtime, *needles: str) -> list[tuple[str, tuple[object, ...]]]:
    """Every row of every table in which one of `needles` appears."""
    found = []
    async with runtime.database.read() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                if any(needle in str(value) for value in row for needle in needles):
                    found.append((table.name, tuple(row)))
    return found


async def test_member_remove_leaves_nothing_that_names_them(
    telegram: GetRuntime, bot_api: FakeBotApi, tmp_path: Path
) -> None:
    runtime = telegram()
    code = await make_invite(runtime)
    kader = TelegramUser(bot_api, CHAT, NAME)
    await kader.say(f"/start {code}")
    await kader.say("/lapor")  # a form under way: a conversation row
    async with runtime.database.write() as session:
        member = await storage.get_member(session, "telegram", str(CHAT))
        assert member is not None and member.id is not None
        member_id = member.id
        for period in ("2026-10", "2026-11"):
            await storage.enqueue(
                session,
                kind=OutboxKind.TEXT,
                member_id=member_id,
                period=period,
                payload=TextPayload(text=f"pesan untuk {NAME}"),
                now=NOW,
            )
        await storage.update_outbox(session, 1, status="sent", sent_at=NOW)
        # An update a crash left in the inbox.
        left = {"update_id": 777, "message": {"chat": {"id": CHAT}, "text": "halo"}}
        await storage.store_inbound(
            session, "telegram", [storage.Inbound("777", str(CHAT), json.dumps(left))], NOW
        )
    assert await rows_naming(runtime, str(CHAT), NAME)

    removal = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "member",
        "remove",
        "--config",
        str(tmp_path / "config.toml"),  # the one the telegram fixture wrote
        "--id",
        str(member_id),
    )
    assert await removal.wait() == 0
    assert await rows_naming(runtime, str(CHAT), NAME) == []

    # They write again, unregistered now: their chat id is kept only for a while.
    reply = await kader.say("halo")
    assert "belum terdaftar" in reply.text
    assert await rows_naming(runtime, str(CHAT))
    other = TelegramUser(bot_api, 4343, "Bu Lain")
    await other.say(f"/start {await make_invite(runtime)}")
    await other.say("/lapor")
    runtime.service.clock = lambda: NOW + PROCESSED_UPDATE_TTL + timedelta(days=1)
    await runtime.service.prune()
    assert await rows_naming(runtime, str(CHAT)) == []
    async with runtime.database.read() as session:
        kept = await storage.load_state(session, "telegram", "4343")
    assert kept is not None, "a member's form under way is kept however long it waits"
