"""Notices: messages one member's turn queues for another, with buttons that stand on their
own (a report to review, a request to reopen a month), through the outbox and the real PTB
client against the fake Bot API."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable

import pytest

import storage
from bot import console
from bot.app import Runtime
from bot.outbox import OutboxSender
from bot.telegram import TelegramChannel
from handlers import texts
from handlers.conversation.tokens import Act, Token, encode_notice
from handlers.service import system_clock
from storage import NoticePayload, OutboxKind
from tests.conftest import TOKEN, TelegramUser, drain_outbox, make_invite
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]


@pytest.fixture
async def channel(telegram: GetRuntime, bot_api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    sender = TelegramChannel(telegram().service, TOKEN, bot_api.base_url)
    await sender.app.initialize()
    yield sender
    await sender.app.shutdown()


async def queue_notice(runtime: Runtime, member_id: int, key: str, data: str) -> bool:
    async with runtime.database.write() as session:
        queued = await storage.enqueue(
            session,
            kind=OutboxKind.NOTICE,
            member_id=member_id,
            period=key,
            payload=NoticePayload(
                text="Laporan baru dari Posyandu Mawar", choices=(("Lihat", data),)
            ),
            now=runtime.service.clock(),
        )
    return queued


async def test_a_notice_button_is_answered_while_a_form_is_open(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    ketua = TelegramUser(bot_api, 801, "Bu Ketua")
    await ketua.say(f"/start {await make_invite(runtime, role='ketua')}")
    async with runtime.database.read() as session:
        member = await storage.get_member(session, "telegram", "801")
    assert member is not None and member.id is not None
    asked = await ketua.say("/kegiatan")
    data = encode_notice(Token(Act.REPORT, "999"))
    assert await queue_notice(runtime, member.id, "review:999", data)
    assert not await queue_notice(runtime, member.id, "review:999", data), "once per key"
    await drain_outbox(OutboxSender(runtime.database, {"telegram": channel}, system_clock), runtime)
    notice = ketua.last
    assert notice.text == "Laporan baru dari Posyandu Mawar"
    assert notice.buttons == [("Lihat", data)] and data.startswith("n.")
    answer = await ketua.press("Lihat")
    # No notice act answers a report button yet: the button is spent, the form goes on.
    assert answer.text.startswith(texts.NOTICE_GONE)
    assert asked.text.split("\n")[-1] in answer.text
    assert sum(m.text == notice.text for m in ketua.messages()) == 1


async def test_the_terminal_shows_queued_notices_between_turns(telegram: GetRuntime) -> None:
    runtime = telegram()
    code = await make_invite(runtime, role="ketua")
    out = io.StringIO()
    await console.chat(runtime.service, "bu-ketua", io.StringIO(f"/start {code}\n"), out)
    async with runtime.database.read() as session:
        member = await storage.get_member(session, console.CHANNEL, "bu-ketua")
    assert member is not None and member.id is not None
    assert await queue_notice(runtime, member.id, "k", encode_notice(Token(Act.REPORT, "5")))
    out = io.StringIO()
    await console.chat(runtime.service, "bu-ketua", io.StringIO("/status\n"), out)
    shown = out.getvalue()
    assert shown.count("Laporan baru dari Posyandu Mawar") == 1
    assert "1. Lihat" in shown
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert row.status == "sent"


async def test_a_terminal_ketua_answers_a_review_notice_by_its_number(
    telegram: GetRuntime,
) -> None:
    """The terminal has no buttons to tap: the number (or label) of a notice's button,
    typed right after the notice, is that press; afterwards numbers mean the menu again."""
    runtime = telegram()
    service = runtime.service
    ketua_code = await make_invite(runtime, role="ketua")
    kader_code = await make_invite(runtime)
    await console.chat(service, "bu-ketua", io.StringIO(f"/start {ketua_code}\n"), io.StringIO())
    lines = [f"/start {kader_code}", "posyandu hari ini S50 K48 D45 N40 T3 O1 B1 BGM1"]
    lines += ["6", "5", "Simpan"]
    out = io.StringIO()
    await console.chat(service, "bu-sari", io.StringIO("\n".join(lines) + "\n"), out)
    assert "Tersimpan" in out.getvalue()
    out = io.StringIO()
    await console.chat(service, "bu-ketua", io.StringIO("1\n1\n"), out)
    shown = out.getvalue()
    assert "📋 Laporan baru: Posyandu Melati" in shown and "  1. Setujui" in shown
    assert "Disetujui ✅ Posyandu Melati" in shown
    assert "Laporan untuk unit mana?" in shown, "the second 1 is the menu's Lapor"


async def test_a_queued_message_that_cannot_be_shown_fails_alone_in_the_terminal(
    telegram: GetRuntime,
) -> None:
    runtime = telegram()
    code = await make_invite(runtime, role="ketua")
    await console.chat(runtime.service, "bu-ketua", io.StringIO(f"/start {code}\n"), io.StringIO())
    async with runtime.database.write() as session:
        member = await storage.get_member(session, console.CHANNEL, "bu-ketua")
        assert member is not None and member.id is not None
        for key, text in (("broken", "x"), ("fine", "Pesan yang baik")):
            await storage.enqueue(
                session,
                kind=OutboxKind.NOTICE,
                member_id=member.id,
                period=key,
                payload=NoticePayload(text=text),
                now=runtime.service.clock(),
            )
        rows = await storage.outbox_rows(session)
        broken = next(row for row in rows if row.period == "broken")
        assert broken.id is not None
        await storage.update_outbox(session, broken.id, payload="{}")  # written by older code
    out = io.StringIO()
    await console.chat(runtime.service, "bu-ketua", io.StringIO("/status\n"), out)
    assert "Pesan yang baik" in out.getvalue() and "Status laporan" in out.getvalue()
    async with runtime.database.read() as session:
        statuses = {row.period: row.status for row in await storage.outbox_rows(session)}
    assert statuses == {"broken": "failed", "fine": "sent"}
