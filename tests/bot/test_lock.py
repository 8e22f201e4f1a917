"""The deadline lock through the real PTB client against the fake Bot API: a kader's
edit and new report of October refused on 4 November, the ketua's Buka (a notice) opens
the month for that kader, the edit is saved late and counted late; the reopening ends
after unlock_days; a Kampung KB in WITA locks at its own midnight; forged Buka refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import select

import storage
from bot.app import Runtime
from bot.outbox import OutboxSender
from bot.telegram import TelegramChannel
from handlers import recap, texts
from handlers.conversation.tokens import Act, Token, encode_notice
from handlers.messages import Incoming
from storage.models import UnlockGrant
from tests.conftest import TOKEN, TelegramUser, drain_outbox, make_invite, register
from tests.fakes.botapi import FakeBotApi, Sent

GetRuntime = Callable[[], Runtime]
OCTOBER_20 = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
NOVEMBER_4 = datetime(2026, 11, 4, 3, 0, tzinfo=UTC)  # the day after the deadline (3)
NOVEMBER_7 = datetime(2026, 11, 7, 3, 0, tzinfo=UTC)  # unlock_days (2) after the 4th, ended
REPORT = "posyandu {day}/10 S50 K48 D45 N40 BGM1 bumil6 kader5"


@pytest.fixture
async def sender(telegram: GetRuntime, bot_api: FakeBotApi) -> AsyncIterator[OutboxSender]:
    channel = TelegramChannel(telegram().service, TOKEN, bot_api.base_url)
    await channel.app.initialize()
    runtime = telegram()
    yield OutboxSender(runtime.database, {"telegram": channel}, lambda: runtime.service.clock())
    await channel.app.shutdown()


async def press_data(api: FakeBotApi, user: TelegramUser, data: str) -> Sent:
    """Send a button's data as if pressed again (Telegram drops a notice's buttons once
    answered, but an old client, or a forger, may still send it)."""
    before = len(api.sent)
    await api.user_presses(user.user_id, user.last, data, user.name)
    await api.wait_for_sent(before + 1)
    await asyncio.sleep(0.1)
    return user.last


def at(runtime: Runtime, moment: datetime) -> None:
    runtime.service.clock = lambda: moment


async def october_timeliness(runtime: Runtime) -> tuple[int, int]:
    async with runtime.database.read() as session:
        [kampung] = await storage.kampung_views(session, kampung_id=1)
        built = await recap.kampung_recap(session, kampung, "2026-10", 3)
    return built.completeness.on_time, built.completeness.reports


async def grants(runtime: Runtime) -> list[UnlockGrant]:
    async with runtime.database.read() as session:
        return list((await session.exec(select(UnlockGrant))).all())


async def test_refused_on_the_4th_reopened_by_buka_saved_late_counted_late(
    telegram: GetRuntime, bot_api: FakeBotApi, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = TelegramUser(bot_api, 801, "Bu Ketua")
    kader = TelegramUser(bot_api, 802, "Bu Sari")
    at(runtime, OCTOBER_20)
    await ketua.say(f"/start {await make_invite(runtime, role='ketua', now=OCTOBER_20)}")
    await kader.say(f"/start {await make_invite(runtime, now=OCTOBER_20)}")
    await kader.say(f"/start {await make_invite(runtime, unit='posyandu-mawar', now=OCTOBER_20)}")
    await kader.say(REPORT.format(day=10))
    await kader.press("Posyandu Melati")
    assert (await kader.press("Simpan")).text.startswith("Tersimpan")
    assert await october_timeliness(runtime) == (1, 1)

    at(runtime, NOVEMBER_4)
    # A new report of October: refused at its date, with the button to ask the ketua.
    await kader.say(REPORT.format(day=13))
    refused = await kader.press("Posyandu Mawar")
    assert "Laporan Oktober 2026 sudah dikunci sejak 4 Nov 2026" in refused.text
    assert refused.labels == [texts.LOCKED_ASK, texts.BACK]
    await kader.say("/batal")
    # An edit of October: refused when picked.
    await kader.say("/ubah")
    picker = kader.last
    refused = await kader.press(next(label for label in picker.labels if "Melati" in label))
    assert "sudah dikunci" in refused.text
    asked = await kader.press(texts.LOCKED_ASK)
    assert texts.LOCKED_ASKED in asked.text and "Ringkasan laporan Posyandu Melati" in asked.text
    # Simpan before the ketua answers: still refused, nothing saved.
    assert "sudah dikunci" in (await kader.press("Simpan")).text
    await kader.press(texts.BACK)
    await drain_outbox(sender, runtime)
    # The ketua also gets the review of the report saved on 2 November (a notice too).
    request = next(m for m in reversed(ketua.messages()) if texts.UNLOCK_OPEN in m.labels)
    assert request.text == texts.UNLOCK_REQUEST.format(
        kader="Bu Sari", title="Posyandu Melati", month="Oktober 2026"
    )
    assert request.labels == [texts.UNLOCK_OPEN, texts.UNLOCK_REFUSE]
    buka = dict(request.buttons)[texts.UNLOCK_OPEN]
    granted = await ketua.press(texts.UNLOCK_OPEN, request)
    assert "Dibuka ✅ Bu Sari dapat mengisi Posyandu Melati bulan Oktober 2026" in granted.text
    assert "sampai 6 Nov 2026" in granted.text
    again = await press_data(bot_api, ketua, buka)  # twice is harmless: one grant
    assert "Dibuka ✅" in again.text
    await drain_outbox(sender, runtime)
    told = kader.last
    assert told.text.startswith("🔓 Ketua membuka laporan Posyandu Melati bulan Oktober 2026")
    assert "sampai 6 Nov 2026" in told.text
    assert sum(m.text == told.text for m in kader.messages()) == 1
    [grant] = await grants(runtime)
    assert grant.period == "2026-10" and grant.expires_at == datetime(2026, 11, 6, 17, tzinfo=UTC)

    saved = await kader.press("Simpan")  # the summary kept while waiting
    assert saved.text.startswith("Tersimpan") and "revisi 2" in saved.text
    assert await october_timeliness(runtime) == (0, 1), "saved after the deadline: late"

    # The PLKB's district recap shows the month locked, and reopened for whom.
    async with runtime.database.read() as session:
        villages, total = await recap.district_recaps(
            session, "Cibeunying", "2026-10", 3, NOVEMBER_4
        )
    shown = recap.district_text("Cibeunying", "2026-10", [*villages, total])
    assert "🔒 terkunci sejak 4 Nov 2026" in shown
    assert "🔓 dibuka untuk Posyandu Melati (Bu Sari) s.d. 6 Nov 2026" in shown

    # After unlock_days the month is locked again for her.
    at(runtime, NOVEMBER_7)
    await kader.say("/ubah")
    refused = await kader.press(next(label for label in kader.last.labels if "Melati" in label))
    assert "sudah dikunci" in refused.text


async def test_tolak_tells_the_kader(
    telegram: GetRuntime, bot_api: FakeBotApi, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = TelegramUser(bot_api, 801, "Bu Ketua")
    kader = TelegramUser(bot_api, 802, "Bu Sari")
    at(runtime, NOVEMBER_4)
    await ketua.say(f"/start {await make_invite(runtime, role='ketua', now=NOVEMBER_4)}")
    await kader.say(f"/start {await make_invite(runtime, now=NOVEMBER_4)}")
    refused = await kader.say(REPORT.format(day=10))
    assert "sudah dikunci" in refused.text
    asked = await kader.press(texts.LOCKED_ASK)
    assert "Ringkasan laporan Posyandu Melati" in asked.text, "a one-line report fills on"
    await drain_outbox(sender, runtime)
    answer = await ketua.press(texts.UNLOCK_REFUSE)
    assert answer.text.startswith("Permintaan Bu Sari ditolak")
    await drain_outbox(sender, runtime)
    assert kader.last.text.startswith("Ketua tidak membuka laporan Posyandu Melati")
    assert await grants(runtime) == []


async def test_a_forged_buka_is_refused(
    telegram: GetRuntime, bot_api: FakeBotApi, sender: OutboxSender
) -> None:
    runtime = telegram()
    at(runtime, NOVEMBER_4)
    kader = TelegramUser(bot_api, 802, "Bu Sari")
    other_ketua = TelegramUser(bot_api, 803, "Bu Ketua Mekarsari")
    await kader.say(f"/start {await make_invite(runtime, now=NOVEMBER_4)}")
    code = await make_invite(runtime, role="ketua", kampung="mekarsari", unit=None, now=NOVEMBER_4)
    await other_ketua.say(f"/start {code}")
    async with runtime.database.read() as session:
        member = await storage.get_member(session, "telegram", "802")
        [melati] = [
            u for u in await storage.active_units(session, [1]) if u.slug == "posyandu-melati"
        ]
    assert member is not None and member.id is not None
    forged = encode_notice(Token(Act.UNLOCK, f"{melati.id}_2026-10_{member.id}"))
    # A kader opening her own month; a ketua of another Kampung KB.
    for user in (kader, other_ketua):
        refused = await press_data(bot_api, user, forged)
        assert refused.text.startswith(texts.UNLOCK_NOT_ALLOWED)
    garbled = encode_notice(Token(Act.UNLOCK, f"{melati.id}_2026-13_{member.id}"))
    assert (await press_data(bot_api, other_ketua, garbled)).text.startswith(texts.NOTICE_GONE)
    assert await grants(runtime) == []


async def test_a_wita_kampung_locks_at_its_own_midnight(runtime: Runtime) -> None:
    """3 Nov 23:30 in Jakarta is 4 Nov 00:30 in Makassar: October is locked there only."""
    at(runtime, datetime(2026, 11, 3, 16, 30, tzinfo=UTC))
    await register(runtime, "wib")
    await register(runtime, "wita", kampung="mekarsari", unit="posyandu-anggrek")
    service = runtime.service
    jakarta = await service.handle(Incoming("telegram", "wib", text=REPORT.format(day=10)))
    makassar = await service.handle(Incoming("telegram", "wita", text=REPORT.format(day=10)))
    assert "Ringkasan laporan Posyandu Melati" in jakarta[-1].text
    assert "Laporan Oktober 2026 sudah dikunci sejak 4 Nov 2026" in makassar[-1].text


async def test_tolak_after_another_ketuas_buka_leaves_the_month_open(
    telegram: GetRuntime, bot_api: FakeBotApi, sender: OutboxSender
) -> None:
    """Two ketua get the request; one opens it, the other then presses Tolak: the kader
    is not told no about a month that is open for them, and the second ketua learns why."""
    runtime = telegram()
    ketua = TelegramUser(bot_api, 801, "Bu Ketua")
    wakil = TelegramUser(bot_api, 804, "Bu Wakil")
    kader = TelegramUser(bot_api, 802, "Bu Sari")
    at(runtime, NOVEMBER_4)
    for user, role in ((ketua, "ketua"), (wakil, "ketua"), (kader, "kader")):
        unit = None if role == "ketua" else "posyandu-melati"
        await user.say(f"/start {await make_invite(runtime, role=role, unit=unit, now=NOVEMBER_4)}")  # type: ignore[arg-type]
    await kader.say(REPORT.format(day=10))
    await kader.press(texts.LOCKED_ASK)
    await drain_outbox(sender, runtime)
    await ketua.press(texts.UNLOCK_OPEN)
    await drain_outbox(sender, runtime)
    assert kader.last.text.startswith("🔓 Ketua membuka laporan Posyandu Melati")
    answer = await wakil.press(texts.UNLOCK_REFUSE)
    assert "sudah dibuka" in answer.text and "sampai 6 Nov 2026" in answer.text, answer.text
    await drain_outbox(sender, runtime)
    assert kader.last.text.startswith("🔓 Ketua membuka laporan"), "no 'tidak membuka' after it"
    [grant] = await grants(runtime)
    assert grant.expires_at == datetime(2026, 11, 6, 17, tzinfo=UTC)
