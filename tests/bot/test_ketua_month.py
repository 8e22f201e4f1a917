"""The ketua's month, as one story through the real PTB client against the fake Bot API,
with a clock the test controls and the default schedule (status on the 1st, deadline the
3rd, final recap on the 4th, unlock_days 2). docs/ketua-month.md tells the same story.

October's reports in November: the ketua (registered from an operator's invite) invites
a kader for Posyandu Melati and one for BKB Ceria from the chat; both register with the
code of the forwarded message and report; the ketua approves one report and returns the
other, which comes back corrected with what changed; on the 1st the status; a report on
the 3rd; on the 4th an edit refused, Minta dibuka, Buka, saved late; a report returned on
the 4th is reopened with its return; the final recap. November's in December: the
status, /anggota with each kader's last month, a kader removed by button."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlmodel import col, select

import storage
from bot.app import Runtime
from bot.outbox import OutboxSender
from bot.scheduler import Schedule, rules_from
from bot.telegram import TelegramChannel
from handlers import texts
from storage.models import ReportRevision, UnlockGrant
from tests.conftest import TOKEN, TelegramUser, make_invite
from tests.fakes.botapi import FakeBotApi, Sent

GetRuntime = Callable[[], Runtime]
KETUA, SARI, BUDI = 7_100_001, 7_100_002, 7_100_003


def wib(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in Jakarta (UTC+7), the Kampung KB's zone, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Month:
    """The bot's clock, its schedule and its outbox sender, as the running bot has them."""

    def __init__(self, runtime: Runtime, channel: TelegramChannel, clock: Clock) -> None:
        self.clock = clock
        runtime.service.clock = clock
        self.schedule = Schedule(runtime.database, rules_from(runtime.config.schedule), clock)
        # No second between one chat's messages: the fake Bot API has no flood limit, and
        # the story sends the ketua dozens of messages.
        self.sender = OutboxSender(runtime.database, {"telegram": channel}, clock, per_chat=0.0)

    async def at(self, moment: datetime) -> None:
        """Time passes to `moment`: the schedule ticks, the outbox is sent."""
        self.clock.now = moment
        await self.schedule.tick()
        await self.deliver()

    async def deliver(self) -> None:
        while await self.sender.drain_once():
            pass


@pytest.fixture
async def month(telegram: GetRuntime, bot_api: FakeBotApi) -> AsyncIterator[Month]:
    channel = TelegramChannel(telegram().service, TOKEN, bot_api.base_url)
    await channel.app.initialize()
    yield Month(telegram(), channel, Clock(wib(30, 10, month=10)))
    await channel.app.shutdown()


def code_of(forwarded: str) -> str:
    """The code in the invite message, as its Telegram link carries it."""
    found = re.search(r"https://t\.me/KaderTestBot\?start=([A-Z0-9]{8})\b", forwarded)
    assert found is not None, forwarded
    return found[1]


async def invite(ketua: TelegramUser, unit: str) -> str:
    await ketua.say("/undang")
    assert ketua.last.labels == ["Kader", "Ketua pokja", "Batal"]
    await ketua.press("Kader")
    return (await ketua.press(unit)).text


def since(user: TelegramUser, before: int) -> list[Sent]:
    return user.messages()[before:]


async def member(runtime: Runtime, user_id: int) -> storage.MemberView:
    async with runtime.database.read() as session:
        found = await storage.get_member(session, "telegram", str(user_id))
        assert found is not None
        return await storage.member_view(session, found)


async def revisions(runtime: Runtime) -> list[ReportRevision]:
    async with runtime.database.read() as session:
        query = select(ReportRevision).order_by(col(ReportRevision.id))
        return list((await session.exec(query)).all())


async def test_the_ketuas_month_from_the_chat(
    telegram: GetRuntime, bot_api: FakeBotApi, month: Month
) -> None:
    runtime = telegram()
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    sari = TelegramUser(bot_api, SARI, "Bu Sari")
    budi = TelegramUser(bot_api, BUDI, "Pak Budi")

    # --- Friday 30 October: the ketua joins and invites two kader from the chat ---------
    code = await make_invite(runtime, role="ketua", unit=None, now=month.clock.now)
    welcome = await ketua.say(f"/start {code}")
    assert "Selamat datang, Bu Ketua! Anda terdaftar sebagai ketua pokja" in welcome.text
    for_sari = await invite(ketua, "Posyandu Melati")
    assert for_sari.startswith("Undangan KaderBot untuk kader Posyandu Melati, Kampung KB Sukamaju")
    assert "DAFTAR " in for_sari and "berlaku sampai 6 Nov 2026" in for_sari
    for_budi = await invite(ketua, "BKB Ceria")
    welcome = await sari.say(f"/start {code_of(for_sari)}")
    assert "Selamat datang, Bu Sari! Anda terdaftar sebagai kader di Posyandu Melati" in (
        welcome.text
    )
    welcome = await budi.say(f"/start {code_of(for_budi)}")
    assert "Anda terdaftar sebagai kader di BKB Ceria" in welcome.text

    # --- the kader report: a guided form, and a report in one message -------------------
    await month.at(wib(30, 10, 5, month=10))
    await sari.say("/lapor")
    for answer in ("10/10", "50", "48", "45", "40", "lewati", "lewati", "lewati", "lewati"):
        await sari.say(answer)
    for answer in ("1", "6", "5", "-"):
        await sari.say(answer)
    summary = sari.last
    assert "Ringkasan laporan Posyandu Melati" in summary.text and "Simpan" in summary.labels
    saved = await sari.press("Simpan")
    assert saved.text.startswith("Tersimpan") and "(revisi 1)" in saved.text
    await month.deliver()
    melati = ketua.last
    assert melati.text.startswith("📋 Laporan baru: Posyandu Melati, 10 Okt 2026 (revisi 1)")
    assert "Dari: Bu Sari" in melati.text and "D: 45" in melati.text
    assert melati.labels == ["Setujui", "Kembalikan"]

    await month.at(wib(30, 11, 5, month=10))
    summary = await budi.say(
        "bkb 22/10 anggota 30 hadir 25 kader 3 pus 20 puskb 15 penyaji kader materi gizi balita"
    )
    assert "Ringkasan laporan BKB Ceria" in summary.text
    assert (await budi.press("Simpan")).text.startswith("Tersimpan")
    await month.deliver()
    bkb = ketua.last
    assert bkb.text.startswith("📋 Laporan baru: BKB Ceria, 22 Okt 2026 (revisi 1)")
    assert "Dari: Pak Budi" in bkb.text

    # --- the ketua approves one, returns the other with a reason ------------------------
    await month.at(wib(30, 12, month=10))
    approved = await ketua.press("Setujui", bkb)
    assert approved.text.startswith("Disetujui ✅ BKB Ceria, 22 Okt 2026 (revisi 1).")
    asked = await ketua.press("Kembalikan", melati)
    assert asked.text.startswith("Kenapa laporan Posyandu Melati dikembalikan?")
    assert asked.labels[:4] == list(texts.REVIEW_REASONS)
    returned = await ketua.say("D tidak sama dengan buku register")
    assert returned.text.startswith(
        "Laporan Posyandu Melati dikembalikan ke Bu Sari dengan alasan: D tidak sama"
    )
    await month.deliver()
    told = sari.last
    assert told.text.startswith(
        "↩️ Laporan Posyandu Melati, 10 Okt 2026 (revisi 1) dikembalikan oleh Bu Ketua."
    )
    assert "Alasan: D tidak sama dengan buku register" in told.text
    assert told.labels == ["Perbaiki"]

    # --- the kader corrects D; the ketua sees what changed and approves -----------------
    await month.at(wib(30, 13, month=10))
    summary = await sari.press("Perbaiki")
    assert "Ringkasan laporan Posyandu Melati (perbaikan)" in summary.text
    await sari.press("Ubah")
    await sari.press("D")
    await sari.say("47")
    saved = await sari.press("Simpan")
    assert "(revisi 2)" in saved.text
    await month.deliver()
    corrected = ketua.last
    assert corrected.text.startswith(
        "✏️ Laporan diperbaiki: Posyandu Melati, 10 Okt 2026 (revisi 2)\nDari: Bu Sari"
    )
    assert "Yang berubah:\nD: 45 -> 47" in corrected.text
    approved = await ketua.press("Setujui", corrected)
    assert approved.text.startswith("Disetujui ✅ Posyandu Melati, 10 Okt 2026 (revisi 2).")
    ketua_id = (await member(runtime, KETUA)).id
    first, _, second = await revisions(runtime)  # Melati 1, BKB 1, Melati 2
    assert (first.revision, first.returned_by, first.approved_by) == (1, ketua_id, None)
    assert (second.revision, second.approved_by) == (2, ketua_id)

    # --- Sunday 1 November, 07:00: the status of October --------------------------------
    await month.at(wib(1, 6, 59))
    assert "Status laporan" not in ketua.last.text
    await month.at(wib(1, 7))
    status = ketua.last.text
    assert status.startswith("📋 Status laporan Oktober 2026\nKampung KB Sukamaju")
    assert "Sudah lapor (2 dari 6 unit):\n• Posyandu Melati\n• BKB Ceria" in status
    assert "Belum lapor:\n• Posyandu Mawar (belum ada kader terdaftar)" in status
    assert "Batas lapor: Selasa, 3 November 2026. Rekap akhir dikirim Rabu, 4 November 2026." in (
        status
    )

    # --- Tuesday 3 November, the deadline day: another BKB meeting reported -------------
    await month.at(wib(3, 19))
    await budi.say(
        "bkb 29/10 anggota 30 hadir 28 kader 3 pus 20 puskb 16 penyaji kader materi pola asuh"
    )
    assert (await budi.press("Simpan")).text.startswith("Tersimpan")
    await month.deliver()
    late_bkb = ketua.last
    assert late_bkb.text.startswith("📋 Laporan baru: BKB Ceria, 29 Okt 2026 (revisi 1)")

    # --- Wednesday 4 November, 05:00: October is locked; Minta dibuka, Buka, saved late --
    await month.at(wib(4, 5))
    await sari.say("/ubah")
    picked = next(label for label in sari.last.labels if "Melati" in label)
    refused = await sari.press(picked)
    assert refused.text.startswith(
        "Laporan Oktober 2026 sudah dikunci sejak 4 Nov 2026 (batas lapor tanggal 3)."
    )
    assert refused.labels == [texts.LOCKED_ASK, texts.BACK]
    asked = await sari.press(texts.LOCKED_ASK)
    assert texts.LOCKED_ASKED in asked.text
    await month.deliver()
    request = ketua.last
    assert (
        request.text
        == "🔒 Bu Sari minta laporan Posyandu Melati bulan Oktober 2026 dibuka kembali."
    )
    assert request.labels == ["Buka", "Tolak"]
    opened = await ketua.press("Buka", request)
    assert opened.text.startswith(
        "Dibuka ✅ Bu Sari dapat mengisi Posyandu Melati bulan Oktober 2026 sampai 6 Nov 2026."
    )
    await month.deliver()
    assert sari.last.text.startswith(
        "🔓 Ketua membuka laporan Posyandu Melati bulan Oktober 2026 untuk Anda sampai 6 Nov 2026."
    )
    await sari.press("Ubah", asked)
    await sari.press("N")
    await sari.say("42")
    saved = await sari.press("Simpan")
    assert saved.text.startswith("Tersimpan") and "(revisi 3)" in saved.text
    await month.deliver()
    assert "N: 40 -> 42" in ketua.last.text

    # --- 06:00: a report returned after the deadline is reopened with its return ---------
    await month.at(wib(4, 6))
    await ketua.press("Kembalikan", late_bkb)
    returned = await ketua.press("Angka tidak masuk akal")
    assert returned.text.startswith(
        "Laporan BKB Ceria dikembalikan ke Pak Budi dengan alasan: Angka tidak masuk akal"
    )
    assert "Oktober 2026 dibuka untuk Pak Budi sampai 6 Nov 2026" in returned.text
    await month.deliver()
    told = budi.last
    assert told.text.startswith("↩️ Laporan BKB Ceria, 29 Okt 2026 (revisi 1) dikembalikan")
    assert "Laporan Oktober 2026 dibuka untuk Anda sampai 6 Nov 2026" in told.text
    assert told.labels == ["Perbaiki"]

    # --- 07:00: the final recap of October ----------------------------------------------
    before = len(ketua.messages())
    await month.at(wib(4, 7))
    text, chart, sheet = since(ketua, before)
    assert text.text.startswith("📊 Rekap akhir Kampung KB Sukamaju\nOktober 2026")
    # Every report made by the deadline: the BKB meeting of the 3rd is the second one.
    assert "BKB: 1 dari 1 kelompok bertemu (2 pertemuan)" in text.text
    assert "S 50 · K 48 · D 47 · N 42 · BGM 1" in text.text, "Melati as corrected, late"
    # Three reports, one of them (Melati) last saved after the deadline: late.
    assert "Kelengkapan: 2 dari 6 unit lapor (33,3%); tepat waktu 66,7%" in text.text
    assert (
        "Pemeriksaan ketua (disetujui / menunggu / dikembalikan):\n"
        "• Posyandu Melati: 0 / 1 / 0\n"
        "• BKB Ceria: 1 / 0 / 1"
    ) in text.text
    assert chart.kind == "photo" and chart.file_data.startswith(b"\x89PNG")
    assert sheet.kind == "document" and sheet.file_name == "rekap-sukamaju-2026-10.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(sheet.file_data))
    assert list(book[texts.XLSX_REVIEW_SHEET].iter_rows(values_only=True)) == [
        ("Unit", "Disetujui", "Menunggu", "Dikembalikan"),
        ("Posyandu Melati", 0, 1, 0),
        ("BKB Ceria", 1, 0, 1),
    ]
    summary_rows: dict[object, object] = {
        row[0]: row[1] for row in book[texts.XLSX_SUMMARY].iter_rows(values_only=True)
    }
    assert summary_rows["Tepat waktu %"] == pytest.approx(66.7, abs=0.05)
    late = [r for r in await revisions(runtime) if r.reported_at >= wib(4, 0)]
    assert [(r.report_id, r.revision) for r in late] == [(1, 3)]

    # The returned BKB report needs no Minta dibuka: its return reopened October.
    await month.at(wib(4, 8))
    summary = await budi.press("Perbaiki", told)
    assert "Ringkasan laporan BKB Ceria (perbaikan)" in summary.text
    await budi.press("Ubah")
    await budi.press("Hadir")
    await budi.say("26")
    saved = await budi.press("Simpan")
    assert saved.text.startswith("Tersimpan ✅ Laporan BKB Ceria, 29 Okt 2026 (revisi 2)")
    await month.deliver()
    assert "Hadir: 28 -> 26" in ketua.last.text
    async with runtime.database.read() as session:
        grants = (await session.exec(select(UnlockGrant))).all()
    assert sorted((g.member_id, g.period, g.granted_by) for g in grants) == [
        ((await member(runtime, SARI)).id, "2026-10", ketua_id),  # Buka
        ((await member(runtime, BUDI)).id, "2026-10", ketua_id),  # Kembalikan
    ]

    # --- November's reports in December -------------------------------------------------
    await month.at(wib(20, 9))
    await sari.say("posyandu 10/11 S50 K48 D46 N41 BGM1 bumil5 kader5")
    assert (await sari.press("Simpan")).text.startswith("Tersimpan")
    await month.at(wib(1, 7, month=12))
    status = ketua.last.text
    assert status.startswith("📋 Status laporan November 2026")
    assert "Sudah lapor (1 dari 6 unit):\n• Posyandu Melati" in status
    assert "• BKB Ceria (Pak Budi)" in status

    # --- Wednesday 2 December: /anggota; Pak Budi has left and is removed ---------------
    await month.at(wib(2, 9, month=12))
    members = await ketua.say("/anggota")
    assert "• Anda: Bu Ketua – ketua pokja – Telegram" in members.text
    assert (
        "1. Bu Sari – kader Posyandu Melati – Telegram – lapor terakhir: November 2026\n"
        "2. Pak Budi – kader BKB Ceria – Telegram – lapor terakhir: Oktober 2026"
    ) in members.text
    assert members.labels == ["Bu Sari", "Pak Budi", "Tutup"]
    confirm = await ketua.press("Pak Budi")
    assert confirm.text.startswith("Hapus Pak Budi (kader BKB Ceria) dari daftar anggota?")
    assert confirm.labels == ["Ya, hapus", "Batal"]
    removed = await ketua.press("Ya, hapus")
    assert removed.text.startswith(
        "Pak Budi sudah dihapus dari daftar anggota. Laporannya tetap tersimpan."
    )
    assert (await budi.say("halo")).text == texts.UNREGISTERED
    assert "Pak Budi" not in (await ketua.say("/anggota")).text
