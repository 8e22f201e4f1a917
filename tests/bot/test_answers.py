"""Every answer stored exactly as the kader meant it, or asked again: the inputs that were
once stored as another number, or crashed a turn, through the real PTB client."""

from __future__ import annotations

from collections.abc import Callable

import storage
from bot.app import Runtime
from tests.bot.test_telegram import exported, register
from tests.conftest import TelegramUser, make_invite
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]


async def test_almost_right_counts_and_dates_are_asked_again(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    kader = await register(bot_api, telegram(), 21)
    await kader.say("/lapor")
    reply = await kader.say("32/11")
    assert "Tanggal '32/11' tidak ada di kalender" in reply.text
    assert "Tanggal hari buka posyandu" in reply.text
    reply = await kader.say("10/11")
    assert "S: jumlah balita sasaran" in reply.text
    reply = await kader.say("10 nov")
    assert "seperti tanggal atau bulan" in reply.text and "S: jumlah" in reply.text
    reply = await kader.say("1" * 30)
    assert "terlalu panjang" in reply.text and "S: jumlah" in reply.text
    reply = await kader.say("9" * 5000)
    assert "terlalu panjang" in reply.text
    reply = await kader.say("3000000000")
    assert "terlalu panjang" in reply.text
    reply = await kader.say("2500")
    assert "S paling banyak 2.000" in reply.text
    reply = await kader.say("300")  # above the profile's 239 families with balita: a warning
    assert "lebih banyak dari jumlah keluarga yang punya balita di profil" in reply.text
    reply = await kader.press("Perbaiki")
    reply = await kader.say("lima puluh")
    assert "K: balita yang punya KMS" in reply.text
    reply = await kader.say("4o")
    assert "Ada huruf di dalam angka '4o'" in reply.text
    await kader.say("48")
    reply = await kader.say("l0")
    assert "Ada huruf di dalam angka 'l0'" in reply.text
    reply = await kader.say("empatpuluh lima")
    assert "N: balita yang naik" in reply.text
    await kader.say("40")
    reply = await kader.say("40")  # T: N 40 + T 40 is more than D 45, whatever B will be
    assert "N 40 + T 40 = 80, lebih dari D (45)" in reply.text
    assert "T: balita yang ditimbang tapi tidak naik" in reply.text
    await kader.say("lewati")  # T skipped, by the word
    await kader.say("2")  # O
    reply = await kader.say("4")  # B: N 40 + O 2 + B 4 = 46 > D, although T is skipped
    assert "N 40 + O 2 + B 4 = 46, lebih dari D (45)" in reply.text
    await kader.say("3")
    for answer in ("lewati", "1", "6", "5", "lewati"):  # 2T, BGM, bumil, kader, catatan
        reply = await kader.say(answer)
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    reply = await kader.say("simpan")  # the button's word
    assert "Tersimpan" in reply.text
    values = await exported(telegram())
    assert values[("posyandu-melati", "s")] == 50
    assert values[("posyandu-melati", "d")] == 45
    assert values[("posyandu-melati", "b")] == 3
    assert ("posyandu-melati", "t") not in values


async def test_one_message_reports_keep_the_rules_and_never_offer_a_refused_value(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    kader = await register(bot_api, telegram(), 22)
    reply = await kader.say("posyandu 10/11 S3000000000 K1 D1 N1 BGM0 bumil0 kader1")
    assert "terlalu panjang" in reply.text
    reply = await kader.say("posyandu 10/11 S50 K48 D55 N40 BGM1 bumil6 kader5")
    assert "D tidak boleh lebih dari S (50). Anda menulis 55." in reply.text
    assert "jawaban sebelumnya: 55" not in reply.text
    assert "D: balita yang ditimbang" in reply.text
    reply = await kader.say("45")
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    await kader.say("batal")
    reply = await kader.say("posyandu 10/11 S50 K48 D45 N40 T40 BGM1 bumil6 kader5")
    assert "N 40 + T 40 = 80, lebih dari D (45)" in reply.text
    assert "jawaban sebelumnya: 40" not in reply.text
    reply = await kader.say("5")
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    await kader.press("Simpan")
    values = await exported(telegram())
    assert values[("posyandu-melati", "t")] == 5
    # A correction is held to the same rules: D below N + T is refused.
    await kader.say("/ubah")
    await kader.press("Posyandu Melati – November 2026")
    await kader.say("ubah")  # the button's word at the summary, not the /ubah command
    await kader.say("D")
    reply = await kader.say("44")
    assert "N 40 + T 5 = 45, lebih dari D (44)" in reply.text


async def test_buttons_by_their_words(telegram: GetRuntime, bot_api: FakeBotApi) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 23, unit="posyandu-melati")
    code = await make_invite(runtime, unit="posyandu-mawar")
    await kader.say(f"/start {code}")
    reply = await kader.say("lapor")
    assert reply.labels == ["Posyandu Melati", "Posyandu Mawar"]
    reply = await kader.say("posyandu")
    assert "cocok dengan beberapa pilihan: Posyandu Melati, Posyandu Mawar" in reply.text
    reply = await kader.say("MAWAR")
    assert "Laporan Posyandu Mawar" in reply.text
    reply = await kader.say("kemarin")
    assert "S: jumlah balita" in reply.text


async def test_help_matches_the_role_and_unknown_words_are_said_so(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 24)
    reply = await kader.say("/bantuan")
    for command in ("/lapor", "/status", "/ubah", "/rekap", "/pengingat", "/batal"):
        assert command in reply.text
    assert "posyandu 10/11 S50" in reply.text
    reply = await kader.say("asdf qwerty")
    assert "belum paham 'asdf qwerty'" in reply.text and reply.labels[0] == "Lapor"
    reply = await kader.say("/laporan_bulanan")
    assert "Perintah /laporan_bulanan tidak dikenal" in reply.text

    code = await make_invite(runtime, role="ketua", unit=None)
    ketua = TelegramUser(bot_api, 25, "Bu Ketua")
    reply = await ketua.say(f"/start {code}")
    assert "ketua pokja" in reply.text and "rekap Kampung KB" in reply.text

    code = await make_invite(runtime, role="plkb", kampung=None, unit=None, kecamatan="Cibeunying")
    plkb = TelegramUser(bot_api, 26, "Pak PLKB")
    await plkb.say(f"/start {code}")
    reply = await plkb.say("/bantuan")
    assert "rekap kecamatan" in reply.text and "/lapor" not in reply.text
    async with runtime.database.read() as session:
        assert len(await storage.list_members(session)) == 3


async def test_a_nul_in_a_note_and_a_far_month_neither_crash_nor_trap(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    """PostgreSQL refuses NUL in text; a year-9999 recap cannot be drawn. Neither may crash
    a turn or leave the kader stuck at Simpan."""
    kader = await register(bot_api, telegram(), 27)
    reply = await kader.say("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5 catatan a\x00b")
    assert "Catatan: ab" in reply.text
    reply = await kader.press("Simpan")
    assert "Tersimpan" in reply.text
    for month in ("9999-12", "0000-01", "okt 1999"):
        before = len(kader.messages())
        await kader.say(f"/rekap {month}")
        answered = " ".join(m.text for m in kader.messages()[before:])
        assert "Rekap bisa dibuat untuk" in answered, answered
    values = await exported(telegram())
    assert values[("posyandu-melati", "catatan")] == "ab"
