"""The outbox sender through the real PTB bot against a fake Bot API that refuses some sends."""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

import storage
from bot.app import Runtime
from bot.outbox import OutboxSender, Pacer
from bot.scheduler import Schedule
from bot.telegram import TelegramChannel
from handlers.reminders import ScheduleRules
from handlers.service import system_clock
from storage import Database, OutboxKind, RecapPayload, TextPayload
from storage.models import Member
from tests.conftest import TOKEN, TelegramUser, drain_outbox, make_invite, register
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]


@pytest.fixture
async def channel(telegram: GetRuntime, bot_api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    """A second PTB client used only to send (the `telegram` fixture serves the chat)."""
    sender = TelegramChannel(telegram().service, TOKEN, bot_api.base_url)
    await sender.app.initialize()
    yield sender
    await sender.app.shutdown()


async def queue_text(runtime: Runtime, member_id: int, period: str, text: str) -> None:
    async with runtime.database.write() as session:
        await storage.enqueue(
            session,
            kind=OutboxKind.TEXT,
            member_id=member_id,
            period=period,
            payload=TextPayload(text=text),
            now=datetime.now(UTC),
        )


async def test_every_message_arrives_exactly_once_despite_429_and_500(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    members = [await register(runtime, str(500 + n)) for n in range(5)]
    for member_id in members:
        for n in range(3):
            await queue_text(runtime, member_id, f"2026-11:{n}", f"pesan {n} untuk {member_id}")
    bot_api.failures["sendMessage"] = [(429, 1), (500, None), (502, None), (500, None)]
    sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock, first_backoff=0.2)
    await drain_outbox(sender, runtime)

    texts = Counter((sent.chat_id, sent.text) for sent in bot_api.sent)
    assert len(texts) == 15 and set(texts.values()) == {1}, "each message exactly once"
    async with runtime.database.read() as session:
        rows = await storage.outbox_rows(session)
    assert {row.status for row in rows} == {"sent"}
    assert bot_api.refused == 4
    assert sum(row.attempts for row in rows) == 4


async def test_blocked_user_fails_without_retry_and_unknown_channel_is_dropped(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    blocked = await register(runtime, "600")
    await queue_text(runtime, blocked, "x", "halo")
    bot_api.failures["sendMessage"] = [(403, None)]
    async with runtime.database.write() as session:
        await storage.save_state(session, "console", "budi", "{}", datetime.now(UTC))
    sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock)
    await drain_outbox(sender, runtime)
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert row.status == "failed" and row.attempts == 1 and "scripted" in (row.last_error or "")
    assert bot_api.sent == []


async def test_pacer_keeps_both_limits() -> None:
    pacer = Pacer(per_second=50, per_chat=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    stamps: list[tuple[str, float]] = []

    async def send(chat: str) -> None:
        await pacer.wait(chat)
        stamps.append((chat, loop.time() - started))

    await asyncio.gather(*(send(f"c{n % 5}") for n in range(25)))
    times = sorted(t for _, t in stamps)
    assert all(b - a >= 0.02 - 0.005 for a, b in pairwise(times))
    for chat in {c for c, _ in stamps}:
        own = sorted(t for c, t in stamps if c == chat)
        assert all(b - a >= 0.2 - 0.005 for a, b in pairwise(own))


async def test_crash_mid_drain_loses_nothing(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    members = [await register(runtime, str(700 + n)) for n in range(10)]
    for member_id in members:
        await queue_text(runtime, member_id, "p", f"pesan untuk {member_id}")
    sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock, per_second=20)
    crashed = asyncio.create_task(sender.run(asyncio.Event()))
    await bot_api.wait_for_sent(4)
    crashed.cancel()  # the process dies mid-drain: no clean-up runs after this point
    await asyncio.gather(crashed, return_exceptions=True)
    restarted = OutboxSender(runtime.database, {"telegram": channel}, system_clock)
    await drain_outbox(restarted, runtime)
    counts = Counter(sent.chat_id for sent in bot_api.sent)
    assert set(counts) == {700 + n for n in range(10)}, "nothing lost"
    # Only a message on the wire at the moment of the crash can arrive a second time.
    assert sum(counts.values()) - len(counts) <= 1


async def test_the_ketua_gets_the_status_on_the_first_then_the_final_recap_on_the_fourth(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    ketua = await register(runtime, "800", role="ketua", unit=None)
    kader = await register(runtime, "801")
    now = [datetime(2026, 12, 1, 0, 5, tzinfo=UTC)]  # 07:05 WIB on the 1st
    rules = ScheduleRules(1, datetime.min.time().replace(hour=7), (1,), 3)
    sender = OutboxSender(runtime.database, {"telegram": channel}, lambda: now[0])
    schedule = Schedule(runtime.database, rules, lambda: now[0], sender.notify)
    assert await schedule.tick() >= 1
    await sender.drain_once()

    [status] = [sent for sent in bot_api.sent if sent.chat_id == 800]
    assert status.kind == "text"
    assert status.text.startswith("📋 Status laporan November 2026\nKampung KB Sukamaju")
    assert "• Posyandu Melati (Anggota 801)" in status.text
    assert "Batas lapor: Kamis, 3 Desember 2026" in status.text

    async with runtime.database.write() as session:
        [melati] = [
            u for u in await storage.active_units(session, [1]) if u.slug == "posyandu-melati"
        ]
        await storage.save_report(
            session,
            unit_id=melati.id,
            form="posyandu",
            slot="2026-11",
            period="2026-11",
            meeting_date=date(2026, 11, 10),
            values={"s": 50, "k": 48, "d": 40, "n": 30, "bgm": 2},
            correction_of=None,
            member_id=kader,
            now=datetime(2026, 12, 3, 5, tzinfo=UTC),  # on the deadline day
        )
    now[0] = datetime(2026, 12, 4, 0, 5, tzinfo=UTC)  # 07:05 WIB on the 4th
    assert await schedule.tick() >= 1
    await sender.drain_once()

    received = [sent for sent in bot_api.sent if sent.chat_id == 800][1:]
    assert [sent.kind for sent in received] == ["text", "photo", "document"]
    text = received[0].text
    assert "Rekap akhir Kampung KB Sukamaju\nNovember 2026" in text
    assert "S 50 · K 48 · D 40 · N 30 · BGM 2" in text and "(D/S): 80,0%" in text
    assert Image.open(io.BytesIO(received[1].file_data)).size == (800, 450)
    assert received[2].file_name == "rekap-sukamaju-2026-11.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(received[2].file_data))
    summary = {r[0]: r[1] for r in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["D"] == 40 and summary["D/S %"] == 80.0
    async with runtime.database.read() as session:
        rows = [r for r in await storage.outbox_rows(session) if r.member_id == ketua]
    assert [(r.kind, r.status, r.parts_sent) for r in rows] == [
        ("recap_status", "sent", 1),
        ("final_recap", "sent", 3),
    ]
    assert await schedule.tick() == 0 and await sender.drain_once() == 0, "never twice"
    assert len([sent for sent in bot_api.sent if sent.chat_id == 800]) == 4


async def test_stale_reminder_is_dropped(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    runtime = telegram()
    kader = await register(runtime, "900")
    clock_now = [datetime(2026, 12, 9, 0, 30, tzinfo=UTC)]
    schedule = Schedule(
        runtime.database,
        ScheduleRules(1, datetime.min.time().replace(hour=7), (1,), 3),
        lambda: clock_now[0],
    )
    await schedule.tick()
    clock_now[0] += timedelta(days=2)  # the bot was down until after the meeting
    sender = OutboxSender(runtime.database, {"telegram": channel}, lambda: clock_now[0])
    await sender.drain_once()
    async with runtime.database.read() as session:
        rows = [r for r in await storage.outbox_rows(session) if r.member_id == kader]
    reminder = next(r for r in rows if r.kind == "reminder")
    assert reminder.status == "dropped" and reminder.last_error == "meeting has passed"
    assert not [s for s in bot_api.sent if s.chat_id == 900 and "Pengingat" in s.text]


async def test_rekap_and_pengingat_commands(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    runtime = telegram()
    code = await make_invite(runtime, role="ketua", unit=None)
    ketua = TelegramUser(bot_api, 950, "Pak Ketua")
    await ketua.say(f"/start {code}")
    got = await ketua.say_expecting("/rekap oktober", 4)
    assert [m.kind for m in got] == ["text", "photo", "document", "text"]
    assert "Oktober 2026" in got[0].text and got[3].text.endswith("Mau melakukan apa?")
    reply = await ketua.say("/rekap kemarin dulu")
    assert "Bulannya belum terbaca" in reply.text
    reply = await ketua.say("/pengingat off")
    assert "Pengingat dimatikan" in reply.text
    async with runtime.database.read() as session:
        [chair] = await storage.recipients(session, role="ketua")
    assert chair.reminders_on is False
    reply = await ketua.say("/pengingat")
    assert "/pengingat off" in reply.text

    plkb_code = await make_invite(
        runtime, role="plkb", kampung=None, unit=None, kecamatan="Cibeunying"
    )
    plkb = TelegramUser(bot_api, 951, "Bu PLKB")
    await plkb.say(f"/start {plkb_code}")
    got = await plkb.say_expecting("/rekap", 4)
    assert "Rekap Kecamatan Cibeunying" in got[0].text
    assert "Kampung KB Mekarsari" in got[0].text and "Kampung KB Sukamaju" in got[0].text

    kader_code = await make_invite(runtime)
    kader = TelegramUser(bot_api, 952, "Bu Kader")
    await kader.say(f"/start {kader_code}")
    text = (await kader.say_expecting("/rekap", 4))[0].text
    assert "Posyandu Melati" in text and "BKB" not in text, "a kader sees own units only"


async def test_rekap_outside_the_months_held_is_asked_again(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    code = await make_invite(runtime, role="ketua", unit=None)  # the first invite: Nov 2026
    ketua = TelegramUser(bot_api, 960, "Pak Ketua")
    await ketua.say(f"/start {code}")
    for month in ("9999-12", "0000-01", "2027-01", "2026-09"):
        refusal, menu = await ketua.say_expecting(f"/rekap {month}", 2)
        assert refusal.text == (
            "Rekap bisa dibuat untuk Oktober 2026 sampai November 2026. Contoh: /rekap 2026-11."
        ), month
        assert menu.text == "Mau melakukan apa?", "then the menu, as after any /rekap"
    got = await ketua.say_expecting("/rekap 2026-10", 4)
    assert "Oktober 2026" in got[0].text and [m.kind for m in got[1:3]] == ["photo", "document"]


async def test_recap_failing_after_the_turn_is_not_called_a_lost_answer(
    telegram: GetRuntime,
    bot_api: FakeBotApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = telegram()
    kader = await register_in_chat(runtime, bot_api, 970)
    await kader.say("/lapor")
    await kader.say("hari ini")
    # The recap is read after the turn's transaction; a read side that fails there (here
    # an empty database file without tables) must not undo what the turn said it stored.
    broken = Database(f"sqlite:///{tmp_path / 'kosong.db'}")
    monkeypatch.setattr(runtime.database, "read", broken.read)
    try:
        apology, prompt = await kader.say_expecting("/rekap", 2)
    finally:
        monkeypatch.undo()
        await broken.dispose()
    assert apology.text.startswith("Maaf, rekap belum bisa dibuat sekarang")
    assert "S: jumlah balita sasaran" in prompt.text, "then the pending question"
    assert "belum tersimpan" not in "".join(m.text for m in kader.messages())
    assert any(r.exc_info for r in caplog.records if "recap" in r.getMessage()), "traceback"
    reply = await kader.say("50")
    assert "K: balita" in reply.text, "the turn (and the form's date) stayed stored"


async def register_in_chat(runtime: Runtime, api: FakeBotApi, user_id: int) -> TelegramUser:
    code = await make_invite(runtime)
    kader = TelegramUser(api, user_id, "Bu Kader")
    await kader.say(f"/start {code}")
    return kader


async def test_timed_out_send_is_retried(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    runtime = telegram()
    member = await register(runtime, "990")
    await queue_text(runtime, member, "t", "pesan lambat")
    slow = TelegramChannel(runtime.service, TOKEN, bot_api.base_url, request_timeout=0.3)
    await slow.app.initialize()
    bot_api.send_delays = [1.0]  # the first send outlasts the client's patience
    try:
        sender = OutboxSender(runtime.database, {"telegram": slow}, system_clock, first_backoff=0.1)
        await drain_outbox(sender, runtime)
    finally:
        await slow.app.shutdown()
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert row.status == "sent" and row.attempts == 1, "one time-out, then sent"
    arrived = [s for s in bot_api.sent if s.text == "pesan lambat"]
    # A time-out is ambiguous (the platform may have delivered): at least once, at most twice.
    assert 1 <= len(arrived) <= 2


async def test_rows_that_cannot_be_sent_fail_alone_and_block_no_other(
    telegram: GetRuntime, bot_api: FakeBotApi, channel: TelegramChannel
) -> None:
    """More unsendable rows than one pass takes, all older than a good one: each ends
    failed with its reason, and the good one still arrives."""
    runtime = telegram()
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    async with runtime.database.write() as session:
        strays = [
            Member(
                channel="telegram",
                user_key=f"removed-{n}",
                name="",
                role="kader",
                created_at=earlier,
            )
            for n in range(140)
        ]
        session.add_all(strays)
        await session.flush()
        for stray in strays:
            assert stray.id is not None
            await storage.enqueue(
                session,
                kind=OutboxKind.TEXT,
                member_id=stray.id,
                period="2026-11",
                payload=TextPayload(text="halo"),
                now=earlier,
            )
    reader = await register(runtime, "610", role="ketua", unit=None)
    async with runtime.database.write() as session:
        await storage.enqueue(  # its kampung no longer exists: the payload no longer renders
            session,
            kind=OutboxKind.RECAP_REQUEST,
            member_id=reader,
            period="2026-10",
            payload=RecapPayload(kampung_id=999, period="2026-10"),
            now=earlier,
        )
    erased = await register(runtime, "611")
    async with runtime.database.write() as session:
        await storage.erase_member(session, erased, datetime.now(UTC))
    await queue_text(runtime, erased, "e", "untuk yang sudah dihapus")
    good = await register(runtime, "612")
    await queue_text(runtime, good, "g", "tetap sampai")
    sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock, per_second=1000)
    await drain_outbox(sender, runtime, seconds=15)

    assert [s.text for s in bot_api.sent if s.chat_id == 612] == ["tetap sampai"]
    async with runtime.database.read() as session:
        rows = await storage.outbox_rows(session)
    by_member = {row.member_id: row for row in rows}
    stray_rows = [row for row in rows if row.member_id in {s.id for s in strays}]
    assert {row.status for row in stray_rows} == {"failed"}
    assert all("not a Telegram chat id" in (row.last_error or "") for row in stray_rows)
    unrenderable = by_member[reader]
    assert unrenderable.status == "failed" and "cannot be rendered" in (
        unrenderable.last_error or ""
    )
    assert (by_member[erased].status, by_member[erased].last_error) == ("dropped", "member erased")
    assert by_member[good].status == "sent"


async def test_a_member_removed_while_their_message_is_on_the_wire_fails_nothing(
    telegram: GetRuntime,
    bot_api: FakeBotApi,
    channel: TelegramChannel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = telegram()
    kader = await register(runtime, "700")
    await queue_text(runtime, kader, "x", "pesan untuk kader")
    bot_api.send_delay = 0.5  # the ketua removes them (/anggota) while it is being sent
    sender = OutboxSender(runtime.database, {"telegram": channel}, system_clock)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.2)
    async with runtime.database.write() as session:
        await storage.erase_member(session, kader, datetime.now(UTC))
    await bot_api.wait_for_sent(1)
    await asyncio.sleep(0.3)
    stop.set()
    await task
    assert [r.levelname for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    async with runtime.database.read() as session:
        assert await storage.outbox_rows(session) == [], "nothing of theirs comes back"
