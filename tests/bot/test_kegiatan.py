"""Kegiatan with photos through every channel: the bytes the platform served are stored
and linked to the saved report; photos never linked are pruned or erased."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import openpyxl
from sqlmodel import select

import storage
from bot import console
from bot.app import Runtime
from handlers.service import PROCESSED_UPDATE_TTL
from storage.models import Photo, Report
from tests.bot.test_telegram import register
from tests.bot.test_whatsapp import WhatsAppBot, WhatsAppUser, webhook
from tests.conftest import NOW, TelegramUser, make_invite
from tests.fakes.botapi import FakeBotApi, Sent

GetRuntime = Callable[[], Runtime]
JPEG_1 = b"\xff\xd8\xff\xe0" + b"balai-rw-03" * 100
JPEG_2 = b"\xff\xd8\xff\xe0" + b"peserta" * 200


async def stored_photos(runtime: Runtime) -> list[Photo]:
    async with runtime.database.read() as session:
        return list((await session.exec(select(Photo).order_by(Photo.id))).all())  # type: ignore[arg-type]


async def kegiatan_reports(runtime: Runtime) -> list[Report]:
    async with runtime.database.read() as session:
        return list((await session.exec(select(Report).where(Report.form == "kegiatan"))).all())


async def send_photo(api: FakeBotApi, user_id: int, data: bytes, size: int | None = None) -> Sent:
    before = len(api.sent)
    await api.user_sends_photo(user_id, data=data, file_size=size)
    await api.wait_for_sent(before + 1)
    return api.sent[-1]


async def test_kader_reports_a_kegiatan_with_two_photos_on_telegram(
    telegram: GetRuntime, bot_api: FakeBotApi, tmp_path: Path
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 51)
    reply = await kader.say("/lapor")
    assert "Laporan Posyandu Melati" in reply.text  # /lapor: the unit that owes a report
    await kader.say("/batal")
    reply = await kader.say("/kegiatan")
    assert "Laporan Kegiatan – Pokja Kampung KB Sukamaju" in reply.text
    await kader.press("Hari ini")
    await kader.say("Penyuluhan fungsi pendidikan")
    await kader.say("Balai RW 03")
    await kader.press("Fungsi pendidikan")
    await kader.say("35")
    reply = await kader.say("Ibu-ibu BKB dan remaja")
    assert reply.labels == ["Selesai", "Lewati"]
    reply = await kader.say("nanti saja")
    assert "Yang saya tunggu sekarang adalah foto" in reply.text
    reply = await send_photo(bot_api, 51, JPEG_1)
    assert "Foto 1 dari 5 diterima" in reply.text
    reply = await send_photo(bot_api, 51, JPEG_2)
    assert "Foto 2 dari 5 diterima" in reply.text
    reply = await send_photo(bot_api, 51, JPEG_2, size=6 * 1024 * 1024)
    assert "terlalu besar" in reply.text  # refused before the download
    reply = await kader.press("Selesai")
    assert "Foto: 2" in reply.text and "Kategori: Fungsi pendidikan" in reply.text
    reply = await kader.press("Simpan")
    assert "Tersimpan" in reply.text
    [report] = await kegiatan_reports(runtime)
    photos = await stored_photos(runtime)
    assert [p.data for p in photos] == [JPEG_1, JPEG_2]
    assert all(p.report_id == report.id and p.mime_type == "image/jpeg" for p in photos)
    assert len(bot_api.calls_of("getFile")) == 2

    out = tmp_path / "export" / "november.xlsx"
    (tmp_path / "export" / "november-foto").mkdir(parents=True)
    stale = tmp_path / "export" / "november-foto" / "sukamaju-2026-11-20-3.jpg"
    stale.write_bytes(JPEG_2)  # from an earlier export, before an edit removed a photo
    for target in (out, out.with_suffix(".csv")):
        exporting = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "export",
            "--config",
            str(tmp_path / "config.toml"),  # the one the telegram fixture wrote
            "--month",
            "2026-11",
            "--format",
            target.suffix.lstrip("."),
            "--out",
            str(target),
        )
        assert await exporting.wait() == 0
    folder = tmp_path / "export" / "november-foto"
    names = ["sukamaju-2026-11-20-1.jpg", "sukamaju-2026-11-20-2.jpg"]
    assert sorted(p.name for p in folder.iterdir()) == names
    assert [(folder / name).read_bytes() for name in names] == [JPEG_1, JPEG_2]
    assert ", ".join(names) in out.with_suffix(".csv").read_text()
    workbook = openpyxl.load_workbook(out)
    cells = [c.value for row in workbook.active.iter_rows() for c in row]  # type: ignore[union-attr]
    assert ", ".join(names) in cells


async def test_a_photo_outside_the_photo_question_is_not_stored(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(bot_api, runtime, 52)
    reply = await send_photo(bot_api, 52, JPEG_1)
    assert "hanya bisa membaca pesan teks" in reply.text
    assert await stored_photos(runtime) == []


async def test_cancelled_photos_are_pruned_and_erased_with_their_sender(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 53)
    await kader.say("/kegiatan")
    await kader.press("Hari ini")
    for answer in ("Rapat pokja", "Balai desa"):
        await kader.say(answer)
    await kader.press("Rapat pokja: koordinasi")
    await kader.say("12")
    await kader.press("Lewati")
    await send_photo(bot_api, 53, JPEG_1)
    await kader.say("/batal")
    assert [p.report_id for p in await stored_photos(runtime)] == [None]
    await runtime.service.prune()
    assert len(await stored_photos(runtime)) == 1  # not yet as old as processed ids
    runtime.service.clock = lambda: NOW + PROCESSED_UPDATE_TTL + timedelta(hours=1)
    await runtime.service.prune()
    assert await stored_photos(runtime) == []


async def test_a_photo_waiting_in_an_open_draft_is_kept_and_never_confused(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    """A draft may wait longer than the prune window; its photos wait with it, and a new
    photo never takes the id of a pruned one (found by trying: "11,11")."""
    runtime = telegram()
    kader = await register(bot_api, runtime, 55)
    await until_photos(kader)
    await send_photo(bot_api, 55, JPEG_1)
    stranger = await register(bot_api, runtime, 56)
    await until_photos(stranger)
    await send_photo(bot_api, 56, JPEG_2)
    await stranger.say("/batal")  # the stranger's photo is left over: pruned
    # Past the prune window, still in November: on 4 December the month is locked.
    runtime.service.clock = lambda: NOW + PROCESSED_UPDATE_TTL + timedelta(days=1)
    await runtime.service.prune()
    assert [p.data for p in await stored_photos(runtime)] == [JPEG_1]
    await send_photo(bot_api, 55, JPEG_2)
    await kader.press("Selesai")
    await kader.press("Simpan")
    photos = await stored_photos(runtime)
    assert [p.data for p in photos] == [JPEG_1, JPEG_2]
    assert len({p.id for p in photos}) == 2 and all(p.report_id for p in photos)


async def until_photos(kader: TelegramUser) -> None:
    await kader.say("/kegiatan")
    await kader.press("Kemarin")
    for answer in ("Sosialisasi stunting", "Posyandu Melati"):
        await kader.say(answer)
    await kader.press("Sosialisasi")
    await kader.say("40")
    await kader.press("Lewati")


async def test_member_remove_deletes_their_unsaved_photos_and_keeps_the_reports(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    kader = await register(bot_api, runtime, 54)
    await until_photos(kader)
    await send_photo(bot_api, 54, JPEG_1)
    await kader.press("Selesai")
    await kader.press("Simpan")
    await until_photos(kader)
    await send_photo(bot_api, 54, JPEG_2)  # a draft still open: not part of a report
    async with runtime.database.write() as session:
        member = await storage.get_member(session, "telegram", "54")
        assert member is not None and member.id is not None
        await storage.erase_member(session, member.id, NOW)
    [kept] = await stored_photos(runtime)
    [report] = await kegiatan_reports(runtime)
    assert kept.data == JPEG_1 and kept.report_id == report.id
    assert kept.user_key == f"removed-{member.id}"


async def test_kegiatan_with_image_messages_on_whatsapp(wa: WhatsAppBot) -> None:
    code = await make_invite(wa.runtime)
    user = WhatsAppUser(wa, "628777")
    await user.say(f"DAFTAR {code}")
    await user.say("kegiatan")
    await user.press("Hari ini")
    for answer in ("Rapat koordinasi pokja", "Rumah ketua RW"):
        await user.say(answer)
    await user.say("Rapat pokja: koordinasi")
    await user.say("9")
    reply = await user.say("lewati")
    assert "Kirim foto kegiatan" in reply.text
    for data in (JPEG_1, JPEG_2):
        media_id = wa.graph.user_media(data)
        image = {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}}
        [*_, reply] = await user._send(webhook(user.wa_id, image))
    assert "Foto 2 dari 5 diterima" in reply.text
    big = wa.graph.user_media(JPEG_1, size=6 * 1024 * 1024)
    big_image = {"type": "image", "image": {"id": big, "mime_type": "image/jpeg"}}
    [*_, reply] = await user._send(webhook(user.wa_id, big_image))
    assert "terlalu besar" in reply.text and wa.graph.downloads == 2
    reply = await user.say("selesai")
    assert "Foto: 2" in reply.text
    await user.say("simpan")
    [report] = await kegiatan_reports(wa.runtime)
    photos = await stored_photos(wa.runtime)
    assert [(p.data, p.report_id) for p in photos] == [(JPEG_1, report.id), (JPEG_2, report.id)]


async def test_kegiatan_in_the_terminal_with_foto_path(runtime: Runtime, tmp_path: Path) -> None:
    picture = tmp_path / "rapat.jpg"
    picture.write_bytes(JPEG_1)
    not_a_picture = tmp_path / "catatan.jpg"  # a text file with a picture's name
    not_a_picture.write_bytes(b"Daftar hadir rapat pokja\n")
    code = await make_invite(runtime)
    typed = [
        f"/start {code}",
        "/kegiatan",
        "hari ini",
        "Rapat perencanaan",
        "Balai desa",
        "1",
        "15",
        "lewati",
        f"foto {not_a_picture}",
        f"foto {picture}",
        f"foto {tmp_path / 'tidak-ada.jpg'}",
        "selesai",
        "simpan",
    ]
    stdout = io.StringIO()
    await console.chat(runtime.service, "sari", io.StringIO("\n".join(typed) + "\n"), stdout)
    shown = stdout.getvalue()
    assert "Itu bukan foto (JPG, PNG, GIF atau WebP)" in shown
    assert "Foto 1 dari 5 diterima" in shown and "Foto: 1" in shown
    assert "Yang saya tunggu sekarang adalah foto" in shown  # no such file: text
    assert "Kategori: Rapat pokja: perencanaan" in shown
    [photo] = await stored_photos(runtime)
    assert photo.data == JPEG_1 and photo.report_id is not None
