"""Whole conversations through the real python-telegram-bot client and the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

import storage
from bot.app import Runtime, open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from storage.models import ProcessedUpdate, Report, ReportRevision
from tests.conftest import (
    NOW,
    TOKEN,
    TelegramUser,
    make_invite,
    stop_channel,
    write_config,
)
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]
BEFORE_DEADLINE = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # October may still be reported


async def register(
    api: FakeBotApi, runtime: Runtime, user_id: int, name: str = "Bu Sari", **invite: str | None
) -> TelegramUser:
    code = await make_invite(runtime, **invite)  # type: ignore[arg-type]
    user = TelegramUser(api, user_id, name)
    reply = await user.say(f"/start {code}")
    assert "Selamat datang" in reply.text
    return user


async def exported(runtime: Runtime, period: str = "2026-11") -> dict[tuple[str, str], int | str]:
    async with runtime.database.read() as session:
        rows = await storage.export_rows(session, period=period)
    return {(row.unit, row.field): row.value for row in rows}


async def test_unregistered_user_is_told_how_to_register(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    stranger = TelegramUser(bot_api, 77, "Asing")
    reply = await stranger.say("/lapor")
    assert "belum terdaftar" in reply.text and "/start KODE" in reply.text
    assert reply.buttons == []
    reply = await stranger.say("/start NOPE1234")
    assert "tidak dikenal" in reply.text
    assert await exported(telegram()) == {}


async def test_commands_are_registered_at_start(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    [call] = bot_api.calls_of("setMyCommands")
    names = [command["command"] for command in call["commands"]]
    assert names == ["lapor", "status", "ubah", "batal", "rekap", "pengingat", "bantuan"]


async def test_posyandu_report_with_typos_buttons_and_warning(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    kader = await register(bot_api, telegram(), 11)
    reply = await kader.say("/lapor")
    assert "Tanggal hari buka posyandu" in reply.text
    assert reply.labels == ["Hari ini", "Kemarin"]
    reply = await kader.say("tanggal tiga puluh")
    assert "tanggalnya belum terbaca" in reply.text
    reply = await kader.say("10/11")
    assert "S: jumlah balita sasaran" in reply.text
    reply = await kader.say("lima puluh balita")
    assert "K: balita yang punya KMS" in reply.text
    reply = await kader.say("48 anak")
    reply = await kader.say("60")  # D > S is impossible
    assert "D tidak boleh lebih dari S (50)" in reply.text
    assert "D: balita yang ditimbang" in reply.text
    reply = await kader.say("45")
    reply = await kader.say("40")  # N
    assert "T: balita yang ditimbang tapi tidak naik" in reply.text
    reply = await kader.press("Lewati")
    assert bot_api.calls_of("answerCallbackQuery"), "button presses are answered"
    assert kader.messages()[-2].text.endswith("» Lewati"), "the pressed button is echoed"
    reply = await kader.say("2")  # O
    reply = await kader.say("1")  # B; T skipped so the SKDN sum is not checked
    reply = await kader.press("Lewati")  # 2T
    assert "BGM" in reply.text
    reply = await kader.say("1")
    reply = await kader.say("6")  # bumil
    reply = await kader.say("5")  # kader
    reply = await kader.say("Timbangan baru dari desa")
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    assert "Tanggal: 10 Nov 2026" in reply.text and "T: -" in reply.text
    assert reply.labels == ["Simpan", "Ubah", "Batal"]
    reply = await kader.press("Simpan")
    assert "Tersimpan ✅" in reply.text and "revisi 1" in reply.text

    values = await exported(telegram())
    assert values[("posyandu-melati", "s")] == 50
    assert values[("posyandu-melati", "d")] == 45
    assert values[("posyandu-melati", "catatan")] == "Timbangan baru dari desa"
    assert ("posyandu-melati", "t") not in values


async def test_kader_with_two_units_chooses_and_reports_bkb(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 12, unit="bkb-ceria")
    code = await make_invite(runtime, unit="bkr-harapan")
    reply = await kader.say(f"/start {code}")
    assert "BKR Harapan ditambahkan" in reply.text
    reply = await kader.say("/lapor")
    assert reply.labels == ["BKB Ceria", "BKR Harapan"]
    reply = await kader.press("BKB Ceria")
    assert "Tanggal pertemuan" in reply.text
    await kader.press("Kemarin")
    for answer in ("30 keluarga", "25", "3"):
        reply = await kader.say(answer)
    assert "Materi penyuluhan" in reply.text and "Tumbuh kembang anak" in reply.labels
    reply = await kader.press("Gizi dan cegah stunting")
    assert reply.labels == ["PLKB", "PPLKB", "PPKBD", "Sub PPKBD", "Kader", "Lainnya"]
    reply = await kader.say("bu bidan")  # not one of the choices
    assert "pilih salah satu" in reply.text
    await kader.press("PPKBD")
    await kader.say("20")
    reply = await kader.say("25")  # pus_kb > pus_anggota
    assert "tidak boleh lebih dari PUS anggota (20)" in reply.text
    reply = await kader.say("15")
    assert "Ringkasan laporan BKB Ceria" in reply.text
    await kader.press("Simpan")
    values = await exported(runtime)
    assert values[("bkb-ceria", "materi")] == "Gizi dan cegah stunting"
    assert values[("bkb-ceria", "penyaji")] == "PPKBD"
    assert values[("bkb-ceria", "pus_kb")] == 15


async def test_bkr_and_bkl_reports(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    runtime = telegram()
    ketua = await register(bot_api, runtime, 13, role="ketua", unit=None)
    reply = await ketua.say("/lapor")
    assert "Posyandu Melati" in reply.labels and "BKL Bahagia" in reply.labels
    await ketua.press("BKR Harapan")
    for answer in ("15/11", "40", "32", "4"):
        await ketua.say(answer)
    await ketua.say("Pendewasaan usia perkawinan")
    await ketua.press("PLKB")
    await ketua.say("30")
    reply = await ketua.say("22")
    assert "Ringkasan laporan BKR Harapan" in reply.text
    await ketua.press("Simpan")

    await ketua.say("/lapor")
    await ketua.press("BKL Bahagia")
    for answer in ("hari ini", "18", "16", "2", "Senam lansia", "Kader"):
        reply = await ketua.say(answer)
    for answer in ("10", "8"):
        reply = await ketua.say(answer)
    assert "Lansia mandiri" in reply.text
    reply = await ketua.press("Lewati")
    assert "Lansia yang butuh pendamping" in reply.text
    reply = await ketua.say("3")
    assert "Ringkasan laporan BKL Bahagia" in reply.text
    await ketua.press("Simpan")
    values = await exported(runtime)
    assert values[("bkr-harapan", "hadir")] == 32
    assert values[("bkl-bahagia", "materi")] == "Senam lansia"
    assert values[("bkl-bahagia", "lansia_pendamping")] == 3
    assert ("bkl-bahagia", "lansia_mandiri") not in values


async def test_kb_report_in_one_message_with_balance_check(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 14, unit="kb-sukamaju")
    runtime.service.clock = lambda: BEFORE_DEADLINE  # October is still open on 2 November
    reply = await kader.say("/lapor")
    assert "bulan apa" in reply.text and reply.labels == ["November 2026", "Oktober 2026"]
    await kader.press("Oktober 2026")
    reply = await kader.say("628")
    assert "spiral 20 susuk 40" in reply.text
    reply = await kader.say("spiral 20 susuk 40 suntik 200 pil 150 kondom 31")
    assert "MOW (steril wanita), MOP (steril pria)" in reply.text and "Dianggap 0" in reply.text
    reply = await kader.press("Ya")
    assert "Peserta KB baru (PB) bulan ini – IUD/spiral" in reply.text
    reply = await kader.say("iud 2 suntik 300")
    assert "tidak boleh lebih dari PA suntik (200)" in reply.text
    await kader.say("iud 2 suntik 10 pil 5")
    reply = await kader.press("Ya")
    assert "hamil" in reply.text
    for answer in ("20", "30", "50"):
        reply = await kader.say(answer)
    reply = await kader.say("60")  # 441 + 20 + 30 + 50 + 60 = 601, not 628
    assert "Jumlahnya belum cocok" in reply.text and "Selisih 27" in reply.text
    await kader.press("TIAL")
    reply = await kader.say("87")
    assert "Ringkasan laporan KB – PPKBD Sukamaju" in reply.text
    assert "Bulan: Oktober 2026" in reply.text
    reply = await kader.press("Simpan")
    assert "Oktober 2026 (revisi 1)" in reply.text
    values = await exported(runtime, "2026-10")
    assert values[("kb-sukamaju", "aktif_suntik")] == 200
    assert values[("kb-sukamaju", "aktif_mow")] == 0
    assert values[("kb-sukamaju", "baru_suntik")] == 10
    assert values[("kb-sukamaju", "tial")] == 87


async def fill_posyandu(kader: TelegramUser, day: str, s: str = "50") -> None:
    await kader.say("/lapor")
    for answer in (day, s, "48", "45", "40", "3", "1", "1", "lewati", "1", "6", "5", "-"):
        await kader.say(answer)
    reply = await kader.press("Simpan")
    assert "Tersimpan" in reply.text


async def test_second_report_becomes_a_correction_and_ubah_makes_revisions(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 15)
    await fill_posyandu(kader, "10/11")
    await kader.say("/lapor")
    reply = await kader.say("12 Nov")
    assert "Sudah ada laporan Posyandu Melati untuk November 2026" in reply.text
    reply = await kader.press("Ya, perbaiki")
    assert "(perbaikan)" in reply.text and "Tanggal: 12 Nov 2026" in reply.text
    await kader.press("Ubah")
    await kader.press("K")
    reply = await kader.say("47")
    assert "K: 47" in reply.text
    reply = await kader.press("Simpan")
    assert "revisi 2" in reply.text

    reply = await kader.say("/ubah")
    assert reply.labels == ["Posyandu Melati – November 2026"]
    await kader.press("Posyandu Melati – November 2026")
    await kader.press("Ubah")
    await kader.press("S")
    reply = await kader.say("46")  # now K (47) > S: the rule sends the kader back to K
    assert "K tidak boleh lebih dari S (46)" in reply.text
    reply = await kader.say("44")
    assert "Ringkasan" in reply.text and "K: 44" in reply.text
    reply = await kader.press("Simpan")
    assert "revisi 3" in reply.text

    async with runtime.database.read() as session:
        reports = (await session.exec(select(Report))).all()
        revisions = (await session.exec(select(ReportRevision))).all()
        all_rows = await storage.export_rows(session, period="2026-11", all_revisions=True)
    assert len(reports) == 1 and reports[0].latest_revision == 3
    assert sorted(r.revision for r in revisions) == [1, 2, 3]
    values = await exported(runtime)
    assert values[("posyandu-melati", "s")] == 46 and values[("posyandu-melati", "k")] == 44
    assert {row.revision for row in all_rows} == {1, 2, 3}


async def test_kader_cannot_report_for_other_units(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 16, unit="bkb-ceria", name="Bu Ani")
    reply = await kader.say("/lapor")
    assert "BKB Ceria" in reply.text  # one unit: straight into its form
    reply = await kader.say("/batal")
    assert "Dibatalkan" in reply.text
    # A forged button for another unit's report is refused as a stale button.
    await kader.say("/lapor")
    message = kader.last
    before = len(bot_api.sent)
    await bot_api.user_presses(16, message, f"{message.buttons[0][1].split('.')[0]}.u1")
    await kader._wait_reply(before)
    assert "Tombol itu dari pertanyaan sebelumnya" in kader.last.text
    assert await exported(runtime) == {}


async def test_redelivered_update_is_handled_once(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 17)
    await kader.say("/lapor")
    update = await bot_api.user_says(17, "10/11")
    await bot_api.wait_for_sent(len(bot_api.sent) + 1)
    count = len(kader.messages())
    await bot_api.push(update)  # the same update id again, as after a lost confirmation
    reply = await kader.say("50")
    assert len(kader.messages()) == count + 1, "the redelivery got no reply"
    assert "K: balita" in reply.text, "and it did not answer a question twice"
    async with runtime.database.read() as session:
        ids = (await session.exec(select(ProcessedUpdate.update_id))).all()
    assert ids.count(str(update["update_id"])) == 1


async def test_non_text_and_status(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 18)
    before = len(bot_api.sent)
    await bot_api.user_sends_photo(18)
    reply = await kader._wait_reply(before)
    assert "hanya bisa membaca pesan teks" in reply.text
    reply = await kader.say("/status")
    assert "Status laporan November 2026" in reply.text
    assert "⏳ Posyandu Melati: belum" in reply.text
    await fill_posyandu(kader, "10/11")
    reply = await kader.say("/status")
    assert "✅ Posyandu Melati: sudah (10 Nov 2026, revisi 1)" in reply.text
    assert "jadwal berikutnya: Kamis, 10 Desember 2026" in reply.text


async def test_long_status_is_split_below_the_limit(tmp_path: Path, bot_api: FakeBotApi) -> None:
    units = "".join(
        f'\n[[kampung.unit]]\nslug = "posyandu-{n}"\nkind = "posyandu"\n'
        f'name = "Posyandu Nomor {n} di RW yang sangat panjang namanya"\n'
        f'meets = "day {n % 28 + 1}"\n'
        for n in range(120)
    )
    path = write_config(tmp_path, bot_api.base_url)
    text = path.read_text().replace(
        '[[kampung]]\nslug = "mekarsari"', units + '\n[[kampung]]\nslug = "mekarsari"'
    )
    path.write_text(text)
    config = load_config(path)
    async with open_runtime(config) as runtime:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            ketua = await register(bot_api, runtime, 19, role="ketua", unit=None)
            before = len(ketua.messages())
            await bot_api.user_says(19, "/status")
            async with asyncio.timeout(10), bot_api.changed:  # the buttons come last
                await bot_api.changed.wait_for(
                    lambda: any(m.buttons for m in ketua.messages()[before:])
                )
            pieces = ketua.messages()[before:]
        finally:
            await stop_channel(bot_api, channel)
    assert len(pieces) >= 3
    assert all(len(piece.text) <= 4096 for piece in pieces)
    assert pieces[-1].labels and not pieces[0].buttons, "buttons come with the last piece"
    assert "Posyandu Nomor 119" in pieces[-1].text or any(
        "Posyandu Nomor 119" in p.text for p in pieces
    )


async def test_restart_mid_form_resumes_at_the_same_question(
    tmp_path: Path, bot_api: FakeBotApi
) -> None:
    config = load_config(write_config(tmp_path, bot_api.base_url))
    async with open_runtime(config) as runtime:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        kader = await register(bot_api, runtime, 20)
        await kader.say("/lapor")
        await kader.say("10/11")
        reply = await kader.say("50")
        assert "K: balita" in reply.text
        await stop_channel(bot_api, channel)

    async with open_runtime(config) as runtime:  # a new Application on the same file
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, config.telegram.api_base_url)
        await channel.start()
        try:
            reply = await kader.say("48")
            assert "D: balita yang ditimbang" in reply.text
        finally:
            await stop_channel(bot_api, channel)


async def test_change_against_last_month_is_flagged_in_a_real_turn(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    """Last month's values are kept in the draft when the date is answered, so the warning
    works on later turns that no longer load reports."""
    runtime = telegram()
    kader = await register(bot_api, runtime, 21)
    runtime.service.clock = lambda: BEFORE_DEADLINE  # October is still open on 2 November
    await fill_posyandu(kader, "12/10")
    runtime.service.clock = lambda: NOW
    await kader.say("/lapor")
    await kader.say("10/11")
    reply = await kader.say("80")
    assert "S: 80, bulan lalu 50 (berubah +60%)" in reply.text
    reply = await kader.press("Ya, sudah benar")
    assert "K: balita" in reply.text
