"""Kegiatan: the Kampung KB's activities, reported at will, with photos (engine only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from handlers import conversation as engine
from handlers.messages import Incoming, Photo, Reply
from handlers.quick import parse_quick_report
from storage import ReportView
from tests.handlers.test_conversation import MELATI, NOW, Chat, chat, unit

POKJA = unit(20, "pokja", "Pokja Kampung KB Sukamaju")
JPEG = Photo(b"\xff\xd8\xff-photo", "image/jpeg")


def send_photo(conversation: Chat, photo_id: int) -> Reply:
    """A photo as the shell passes it: stored first (only when the engine wants one)."""
    assert engine.wants_photo(conversation.state)
    incoming = Incoming("test", "u", photo=JPEG)
    said = replace(engine.understand(incoming), photo_id=photo_id)
    outcome = engine.step(conversation.ctx, conversation.state, said)
    conversation.state = outcome.state
    conversation.effects.extend(outcome.effects)
    conversation.replies.extend(outcome.replies)
    return outcome.replies[0]


def until_photos(conversation: Chat) -> Reply:
    conversation.say("/kegiatan")
    conversation.press("Hari ini")
    conversation.say("Penyuluhan 8 fungsi keluarga")
    conversation.say("Balai RW 03")
    conversation.press("Fungsi pendidikan")
    conversation.say("35")
    return conversation.press("Lewati")  # uraian


def test_photo_question_takes_up_to_five_then_goes_on() -> None:
    conversation = chat(MELATI, POKJA)
    reply = until_photos(conversation)
    assert "Kirim foto kegiatan (paling banyak 5)" in reply.text
    assert [c.label for c in reply.choices] == ["Selesai", "Lewati"]
    for photo_id in range(11, 15):
        reply = send_photo(conversation, photo_id)
        assert f"Foto {photo_id - 10} dari 5 diterima" in reply.text
    reply = send_photo(conversation, 15)
    assert "Foto 5 dari 5 diterima" in reply.text
    assert "Foto: 5" in reply.text and "Simpan" in [c.label for c in reply.choices]
    assert not engine.wants_photo(conversation.state)
    conversation.press("Simpan")
    [saved] = conversation.saved
    assert saved.form == "kegiatan" and saved.unit_id == POKJA.id
    assert saved.photos == (11, 12, 13, 14, 15)
    assert saved.values["foto"] == "11,12,13,14,15"
    assert saved.values["kategori"] == "Fungsi pendidikan" and saved.values["sasaran"] == 35


def test_selesai_after_two_photos_and_text_at_the_photo_question() -> None:
    conversation = chat(POKJA)
    until_photos(conversation)
    reply = conversation.say("fotonya nanti")
    assert "Yang saya tunggu sekarang adalah foto" in reply.text
    assert "Kirim foto kegiatan" in reply.text
    send_photo(conversation, 3)
    send_photo(conversation, 4)
    reply = conversation.press("Selesai")
    assert "Foto: 2" in reply.text
    conversation.press("Simpan")
    assert conversation.saved[0].photos == (3, 4)


def test_a_photo_elsewhere_still_asks_for_text_and_changes_nothing() -> None:
    conversation = chat(POKJA)
    conversation.say("/kegiatan")
    before = conversation.state
    assert not engine.wants_photo(before)
    outcome = engine.step(conversation.ctx, before, Incoming("test", "u", photo=JPEG))
    assert "hanya bisa membaca pesan teks" in outcome.replies[0].text
    assert outcome.state == before


def test_many_a_day_no_duplicate_and_a_slot_each() -> None:
    conversation = chat(POKJA)
    for judul in ("Rapat pokja", "Sosialisasi KB"):
        conversation.say("/kegiatan")
        conversation.press("Hari ini")
        conversation.say(judul)
        conversation.say("Balai desa")
        conversation.press("Sosialisasi")
        conversation.say("12")
        conversation.press("Lewati")
        conversation.press("Lewati")
        conversation.press("Simpan")
        conversation.ctx = replace(conversation.ctx, now=NOW.replace(minute=30))
    first, second = conversation.saved
    assert first.slot != second.slot and first.meeting_date == second.meeting_date
    assert first.photos == () and "foto" not in first.values


def test_kegiatan_is_not_due_and_not_in_lapor_nor_one_message() -> None:
    conversation = chat(MELATI, POKJA)
    reply = conversation.say("/lapor")
    assert "Laporan Posyandu Melati" in reply.text  # straight to the one unit that owes
    conversation.say("/batal")
    status = conversation.say("/status")
    assert "Pokja" not in status.text
    assert parse_quick_report("kegiatan 12/11 judul rapat") is None
    without = chat(MELATI)
    assert "belum terdaftar di Kampung KB" in without.say("/kegiatan").text


def test_ubah_names_each_kegiatan_by_its_title() -> None:
    """Several kegiatan on one day: the /ubah buttons must tell them apart."""
    saved = [
        ReportView(n, POKJA.id, "kegiatan", "2026-11", date(2026, 11, 19), 1, NOW, {"judul": judul})
        for n, judul in ((31, "Rapat koordinasi"), (32, "Senam lansia"))
    ]
    reply = chat(MELATI, POKJA, reports=tuple(saved)).say("/ubah")
    labels = [c.label for c in reply.choices]
    assert "Kegiatan – Rapat koordinasi – 19 Nov 2026" in labels
    assert "Kegiatan – Senam lansia – 19 Nov 2026" in labels
