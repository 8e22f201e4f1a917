"""The ketua's review from chat buttons, through the real PTB client against the fake Bot
API: each saved report reaches the ketua with Setujui and Kembalikan; a returned report
goes back to its kader with the reason and a button that opens it; the correction comes
back to the ketua naming what changed; many reports in an hour come as one digest."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlmodel import col, select

import storage
from bot.app import Runtime
from bot.outbox import OutboxSender
from bot.telegram import TelegramChannel
from handlers import texts
from storage.models import Member, ReportRevision
from tests.conftest import NOW, TOKEN, TelegramUser, make_invite
from tests.fakes.botapi import FakeBotApi, Sent

GetRuntime = Callable[[], Runtime]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def clock(telegram: GetRuntime) -> Clock:
    ticking = Clock()
    telegram().service.clock = ticking
    return ticking


@pytest.fixture
async def sender(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock
) -> AsyncIterator[OutboxSender]:
    channel = TelegramChannel(telegram().service, TOKEN, bot_api.base_url)
    await channel.app.initialize()
    yield OutboxSender(telegram().database, {"telegram": channel}, clock)
    await channel.app.shutdown()


async def send_due(sender: OutboxSender) -> None:
    """What the outbox holds that is due by the test's clock, sent."""
    while await sender.drain_once():
        pass


async def joined(
    bot_api: FakeBotApi, runtime: Runtime, user_id: int, name: str, **invite: str | None
) -> TelegramUser:
    user = TelegramUser(bot_api, user_id, name)
    await user.say(f"/start {await make_invite(runtime, **invite)}")  # type: ignore[arg-type]
    return user


async def report_posyandu(kader: TelegramUser, day: str = "10/11", d: str = "45") -> None:
    await kader.say("/lapor")
    for answer in (
        day,
        "50",
        "48",
        d,
        "40",
        "lewati",
        "lewati",
        "lewati",
        "lewati",
        "1",
        "6",
        "5",
        "-",
    ):
        await kader.say(answer)
    reply = await kader.press("Simpan")
    assert "Tersimpan" in reply.text, reply.text


async def press_in(user: TelegramUser, message: Sent, label: str) -> Sent:
    """Press a button of an earlier message (a notice stays pressable)."""
    before = len(user.api.sent)
    await user.api.user_presses(user.user_id, message, dict(message.buttons)[label], user.name)
    return await user._wait_reply(before)


async def press_data(user: TelegramUser, data: str) -> Sent:
    """Press a button with data of our choosing (a forged one, another's)."""
    before = len(user.api.sent)
    await user.api.user_presses(user.user_id, user.last, data, user.name)
    return await user._wait_reply(before)


async def member_id(runtime: Runtime, user_id: int) -> int:
    async with runtime.database.read() as session:
        member = await storage.get_member(session, "telegram", str(user_id))
    assert member is not None and member.id is not None
    return member.id


async def revisions(runtime: Runtime) -> list[ReportRevision]:
    async with runtime.database.read() as session:
        query = select(ReportRevision).order_by(col(ReportRevision.id))
        return list((await session.exec(query)).all())


async def test_approve_return_correct_and_the_diff(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = await joined(bot_api, runtime, 901, "Bu Ketua", role="ketua", unit=None)
    sari = await joined(bot_api, runtime, 902, "Bu Sari")
    rina = await joined(bot_api, runtime, 903, "Bu Rina", unit="posyandu-mawar")

    await report_posyandu(sari)
    await send_due(sender)
    review = ketua.last
    assert review.text.startswith("📋 Laporan baru: Posyandu Melati, 10 Nov 2026 (revisi 1)")
    assert "Dari: Bu Sari" in review.text and "D: 45" in review.text
    assert review.labels == ["Setujui", "Kembalikan"]
    approve = dict(review.buttons)["Setujui"]
    reply = await ketua.press("Setujui")
    assert reply.text.startswith("Disetujui ✅ Posyandu Melati")
    [first] = await revisions(runtime)
    assert first.approved_by == await member_id(runtime, 901) and first.approved_at == NOW
    reply = await press_data(ketua, approve)  # the same button again (a double tap): harmless
    assert "sudah disetujui oleh Bu Ketua" in reply.text

    clock.now = NOW + timedelta(hours=1)  # another hour: its first report comes at once
    await report_posyandu(rina, day="12/11")
    await send_due(sender)
    assert ketua.last.text.startswith("📋 Laporan baru: Posyandu Mawar")
    stale = dict(ketua.last.buttons)["Setujui"]
    asked = await ketua.press("Kembalikan")
    assert "Kenapa laporan Posyandu Mawar dikembalikan?" in asked.text
    assert "Tanggal salah" in asked.labels
    reply = await ketua.say("D tidak sama dengan buku register")
    assert "dikembalikan ke Bu Rina" in reply.text
    await send_due(sender)
    returned = rina.last
    assert "dikembalikan oleh Bu Ketua" in returned.text
    assert "Alasan: D tidak sama dengan buku register" in returned.text
    clock.now = NOW + timedelta(hours=2)  # (within the hour it would wait for the digest)
    summary = await rina.press("Perbaiki")
    assert "Ringkasan laporan Posyandu Mawar (perbaikan)" in summary.text
    await rina.press("Ubah")
    await rina.press("D")
    await rina.say("47")
    reply = await rina.press("Simpan")
    assert "(revisi 2)" in reply.text
    await send_due(sender)
    corrected = ketua.last
    assert corrected.text.startswith("✏️ Laporan diperbaiki: Posyandu Mawar, 12 Nov 2026 (revisi 2)")
    assert "D: 45 -> 47" in corrected.text
    assert corrected.labels == ["Setujui", "Kembalikan"]

    status = await ketua.say("/status")
    assert "Menunggu pemeriksaan Anda:\n• Posyandu Mawar, November 2026 (revisi 2)" in status.text
    # The returned revision's button is stale now: it says so, and the current one comes.
    before = len(ketua.messages())
    await press_data(ketua, stale)
    await send_due(sender)
    said = [m.text for m in ketua.messages()[before:]]
    assert any("sudah diperbaiki (sekarang revisi 2)" in t for t in said), said
    assert any("D: 45 -> 47" in t for t in said), said

    recap = await ketua.say_expecting("/rekap", 3)
    assert "• Posyandu Melati: 1 / 0 / 0" in recap[0].text
    assert "• Posyandu Mawar: 0 / 1 / 0" in recap[0].text
    [sheet] = [m for m in recap if m.kind == "document"]
    book = openpyxl.load_workbook(io.BytesIO(sheet.file_data))
    rows = list(book[texts.XLSX_REVIEW_SHEET].iter_rows(values_only=True))
    assert rows == [
        ("Unit", "Disetujui", "Menunggu", "Dikembalikan"),
        ("Posyandu Melati", 1, 0, 0),
        ("Posyandu Mawar", 0, 1, 0),
    ]


async def test_an_unchanged_correction_keeps_the_approval(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = await joined(bot_api, runtime, 911, "Bu Ketua", role="ketua", unit=None)
    sari = await joined(bot_api, runtime, 912, "Bu Sari")
    await report_posyandu(sari)
    await send_due(sender)
    await ketua.press("Setujui")
    await sari.say("/ubah")
    await sari.press("Posyandu Melati – November 2026")
    await sari.press("Simpan")
    [first, second] = await revisions(runtime)
    assert second.approved_at == first.approved_at == NOW
    await sari.say("/ubah")
    await sari.press("Posyandu Melati – November 2026")
    await sari.press("Ubah")
    await sari.press("D")
    await sari.say("46")
    await sari.press("Simpan")
    third = (await revisions(runtime))[-1]
    assert third.revision == 3 and third.approved_at is None


async def test_many_reports_in_an_hour_come_as_one_digest(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = await joined(bot_api, runtime, 921, "Bu Ketua", role="ketua", unit=None)
    units = ("posyandu-melati", "posyandu-mawar", "bkb-ceria")
    kader = [
        await joined(bot_api, runtime, 922 + i, f"Kader {i}", unit=u) for i, u in enumerate(units)
    ]
    await report_posyandu(kader[0])
    clock.now = NOW + timedelta(minutes=10)
    await report_posyandu(kader[1], day="12/11")
    clock.now = NOW + timedelta(minutes=20)
    await kader[2].say(
        "bkb 19/11 anggota 30 hadir 25 kader 3 pus 20 puskb 15 penyaji kader materi gizi balita"
    )
    await kader[2].press("Simpan")
    await send_due(sender)
    reviews = [m for m in ketua.messages() if m.text.startswith("📋")]
    assert len(reviews) == 1, "the first report of the hour at once, the others wait"
    clock.now = NOW + timedelta(hours=1)  # the end of the hour
    await send_due(sender)
    digest = ketua.last
    assert digest.text.startswith("📋 3 laporan menunggu pemeriksaan Anda:")
    assert "Posyandu Mawar, 12 Nov 2026" in digest.text and "BKB Ceria" in digest.text
    assert digest.labels == ["Setujui semua", "Periksa 1", "Periksa 2", "Periksa 3"]
    await press_in(ketua, digest, "Periksa 2")
    await send_due(sender)
    assert ketua.last.text.startswith("📋 Laporan baru: Posyandu Mawar")
    assert ketua.last.labels == ["Setujui", "Kembalikan"]
    reply = await press_in(ketua, digest, "Setujui semua")  # Periksa left the digest's buttons
    assert reply.text.startswith("3 laporan disetujui")
    assert all(r.approved_at is not None for r in await revisions(runtime))


async def test_only_a_ketua_of_the_kampung_reviews(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    runtime = telegram()
    ketua = await joined(bot_api, runtime, 931, "Bu Ketua", role="ketua", unit=None)
    other = await joined(
        bot_api, runtime, 932, "Pak Lain", role="ketua", kampung="mekarsari", unit=None
    )
    sari = await joined(bot_api, runtime, 933, "Bu Sari")
    await report_posyandu(sari)
    await send_due(sender)
    approve = dict(ketua.last.buttons)["Setujui"]
    for user in (other, sari):
        reply = await press_data(user, approve)
        assert reply.text.startswith(texts.REVIEW_ONLY_KETUA)
    reply = await press_data(ketua, "n.ap:9999.1")
    assert reply.text.startswith(texts.NOTICE_GONE)
    assert all(r.approved_at is None for r in await revisions(runtime))
    async with runtime.database.read() as session:
        names = [m.name for m in (await session.exec(select(Member))).all()]
    assert "Pak Lain" in names


async def test_a_reason_that_starts_with_a_command_word_is_the_reason(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    """A reason "Daftar hadir ..." is the reason, not /daftar (a ketua returning a poktan
    report writes exactly that)."""
    runtime = telegram()
    ketua = await joined(bot_api, runtime, 941, "Bu Ketua", role="ketua", unit=None)
    sari = await joined(bot_api, runtime, 942, "Bu Sari")
    await report_posyandu(sari)
    await send_due(sender)
    await ketua.press("Kembalikan")
    reply = await ketua.say("Daftar hadir belum dilampirkan")
    assert "dikembalikan ke Bu Sari dengan alasan: Daftar hadir belum dilampirkan" in reply.text
    [returned] = await revisions(runtime)
    assert returned.return_reason == "Daftar hadir belum dilampirkan"


async def test_two_ketua_deciding_one_report_are_each_told_what_the_other_did(
    telegram: GetRuntime, bot_api: FakeBotApi, clock: Clock, sender: OutboxSender
) -> None:
    """Both ketua of a Kampung KB get the review. One returns it; the other's Setujui a
    minute later must not quietly wipe out the return the kader is already fixing (nor
    send the kader a second return); one approves, the other's Kembalikan says it undoes
    that approval."""
    runtime = telegram()
    satu = await joined(bot_api, runtime, 951, "Bu Satu", role="ketua", unit=None)
    dua = await joined(bot_api, runtime, 952, "Bu Dua", role="ketua", unit=None)
    sari = await joined(bot_api, runtime, 953, "Bu Sari")
    rina = await joined(bot_api, runtime, 954, "Bu Rina", unit="posyandu-mawar")
    await report_posyandu(sari)
    await send_due(sender)
    for_satu, for_dua = satu.last, dua.last
    assert for_satu.labels == for_dua.labels == ["Setujui", "Kembalikan"]
    buttons = dict(for_satu.buttons)  # (a pressed message loses its buttons on Telegram)
    await press_in(dua, for_dua, "Kembalikan")
    await dua.say("D tidak sama dengan buku register")
    await send_due(sender)
    kader_before = len(sari.messages())
    clock.now = NOW + timedelta(minutes=1)
    for label in ("Setujui", "Kembalikan"):
        reply = await press_data(satu, buttons[label])
        assert reply.text.startswith(
            "Laporan Posyandu Melati sudah dikembalikan oleh Bu Dua (20 Nov 2026) dengan "
            "alasan: D tidak sama dengan buku register. Menunggu perbaikan dari kader."
        ), reply.text
    await send_due(sender)
    [returned] = await revisions(runtime)
    assert returned.approved_at is None and returned.returned_by == await member_id(runtime, 952)
    assert len(sari.messages()) == kader_before, "no second return, no approval"

    clock.now = NOW + timedelta(hours=1)
    await report_posyandu(rina, day="12/11")
    await send_due(sender)
    await satu.press("Setujui")
    asked = await dua.press("Kembalikan")
    assert asked.text.startswith(
        "Laporan Posyandu Mawar sudah disetujui oleh Bu Satu (20 Nov 2026); bila "
        "dikembalikan, persetujuan itu batal."
    ), asked.text
    reply = await dua.press("Angka tidak masuk akal")
    assert "dikembalikan ke Bu Rina" in reply.text
    mawar = (await revisions(runtime))[-1]
    assert mawar.approved_at is None and mawar.return_reason == "Angka tidak masuk akal"
