"""UPPKA and PIK-R, forms that are only a spec and their sentences, through every channel."""

from __future__ import annotations

import io
from collections.abc import Callable

import storage
from bot import console
from bot.app import Runtime
from tests.bot.test_telegram import register
from tests.bot.test_whatsapp import WhatsAppBot, WhatsAppUser
from tests.conftest import make_invite
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]


async def _exported(runtime: Runtime, unit: str) -> dict[str, int | str]:
    async with runtime.database.read() as session:
        rows = await storage.export_rows(session, period="2026-11")
    return {row.field: row.value for row in rows if row.unit == unit}


async def test_uppka_guided_and_pikr_in_one_message_on_telegram(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 41, kampung="mekarsari", unit="uppka-maju")
    reply = await kader.say("/lapor")
    assert "Laporan UPPKA Maju" in reply.text
    await kader.press("Kemarin")
    for answer in ("25 KK", "20", "18", "12"):
        reply = await kader.say(answer)
    assert reply.labels[:2] == ["Makanan/minuman", "Kerajinan"]
    reply = await kader.press("Kerajinan")
    assert reply.labels == ["Ya", "Tidak"]
    await kader.press("Ya")
    reply = await kader.press("Lewati")
    assert "Ringkasan laporan UPPKA Maju" in reply.text and "Modal bergulir: Ya" in reply.text
    await kader.press("Simpan")
    assert await _exported(runtime, "uppka-maju") == {
        "anggota": 25,
        "hadir": 20,
        "pus_anggota": 18,
        "pus_kb": 12,
        "jenis_usaha": "Kerajinan",
        "modal": "Ya",
    }

    code = await make_invite(runtime, kampung="mekarsari", unit="pikr-generasi")
    await kader.say(f"/start {code}")
    reply = await kader.say(
        "pikr 19/11 anggota 40 hadir 31 materi pendewasaan usia perkawinan "
        "penyaji pendidik sebaya konseling 4"
    )
    assert "Ringkasan laporan PIK-R Generasi Berencana" in reply.text
    await kader.press("Simpan")
    saved = await _exported(runtime, "pikr-generasi")
    assert saved["materi"] == "Pendewasaan Usia Perkawinan" and saved["konseling"] == 4


async def test_uppka_on_whatsapp(wa: WhatsAppBot) -> None:
    code = await make_invite(wa.runtime, kampung="mekarsari", unit="uppka-maju")
    user = WhatsAppUser(wa, "628555")
    await user.say(f"DAFTAR {code}")
    reply = await user.say(
        "uppka kemarin anggota 25 hadir 30 pus 18 puskb 12 usaha jasa modal tidak"
    )
    assert "Hadir tidak boleh lebih dari Anggota (25). Anda menulis 30." in reply.text
    reply = await user.say("20")
    assert "Ringkasan laporan UPPKA Maju" in reply.text and "Jenis usaha: Jasa" in reply.text
    await user.press("Simpan")
    saved = await _exported(wa.runtime, "uppka-maju")
    assert (saved["hadir"], saved["modal"]) == (20, "Tidak")


async def test_pikr_in_the_terminal(runtime: Runtime) -> None:
    code = await make_invite(runtime, kampung="mekarsari", unit="pikr-generasi")
    typed = [f"/start {code}", "/lapor", "kemarin", "40", "31", "napza", "2", "4", "lewati", "1"]
    stdout = io.StringIO()
    await console.chat(runtime.service, "sari", io.StringIO("\n".join(typed) + "\n"), stdout)
    shown = stdout.getvalue()
    assert "Materi: TRIAD KRR: NAPZA" in shown and "Penyaji: Konselor sebaya" in shown
    assert "Tersimpan ✅ Laporan PIK-R Generasi Berencana" in shown
    saved = await _exported(runtime, "pikr-generasi")
    assert (saved["anggota"], saved["hadir"], saved["konseling"]) == (40, 31, 4)
