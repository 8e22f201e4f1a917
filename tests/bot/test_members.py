"""Members from the chat: a ketua (or PLKB) invites and removes members without the CLI."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import col, select

import storage
from bot.app import Runtime
from storage.models import Invite, Member
from tests.bot.test_cli import chat_in_terminal, run_cli
from tests.bot.test_erasure import rows_naming
from tests.bot.test_whatsapp import WhatsAppBot, WhatsAppUser
from tests.conftest import TelegramUser, make_invite, register
from tests.fakes.botapi import FakeBotApi

GetRuntime = Callable[[], Runtime]
KETUA, KADER, NEWCOMER, PLKB = 5_550_001, 5_550_002, 5_550_003, 5_550_004


def code_in(text: str) -> str:
    found = re.search(r"DAFTAR ([A-Z0-9]{8})\b", text)
    assert found is not None, text
    return found[1]


async def member_named(runtime: Runtime, user_key: int) -> Member | None:
    async with runtime.database.read() as session:
        return await storage.get_member(session, "telegram", str(user_key))


async def test_ketua_invites_a_kader_for_a_unit_who_then_registers_with_it(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    reply = await ketua.say("halo")
    assert "Undang anggota" in reply.labels
    reply = await ketua.press("Undang anggota")
    assert reply.labels == ["Kader", "Ketua pokja", "Batal"]
    reply = await ketua.press("Kader")
    assert reply.labels == [
        "Posyandu Melati",
        "Posyandu Mawar",
        "BKB Ceria",
        "BKR Harapan",
        "BKL Bahagia",
        "PPKBD Sukamaju",
        "Batal",
    ], "the Kampung KB's units of every kind (not its pokja)"
    reply = await ketua.press("BKB Ceria")
    code = code_in(reply.text)
    assert f"https://t.me/KaderTestBot?start={code}" in reply.text
    assert "kader BKB Ceria, Kampung KB Sukamaju" in reply.text
    assert "berlaku sampai 27 Nov 2026" in reply.text and not reply.buttons

    newcomer = TelegramUser(bot_api, NEWCOMER, "Bu Baru")
    reply = await newcomer.say(f"/start {code}")
    assert "Selamat datang, Bu Baru! Anda terdaftar sebagai kader di BKB Ceria" in reply.text
    async with runtime.database.read() as session:
        member = await storage.get_member(session, "telegram", str(NEWCOMER))
        assert member is not None
        view = await storage.member_view(session, member)
    assert view.role == "kader" and "BKB Ceria" in [u.name for u in view.units]
    assert "Posyandu Melati" not in [u.name for u in view.units]


async def test_a_redelivered_invite_press_makes_one_invite(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    await ketua.say("/undang")
    message = ketua.last
    update = await bot_api.user_presses(KETUA, message, dict(message.buttons)["Ketua pokja"])
    await bot_api.wait_for_sent(len(bot_api.sent) + 1)
    await bot_api.push(update)  # the same update again, as after a lost confirmation
    await ketua.say("/status")  # one chat's updates go in order: the redelivery is behind us
    invites = [m for m in ketua.messages() if "Undangan KaderBot" in m.text]
    assert len(invites) == 1
    async with runtime.database.read() as session:
        made = (await session.exec(select(Invite).where(col(Invite.used_at).is_(None)))).all()
    assert [(i.code, i.role) for i in made] == [(code_in(invites[0].text), "ketua")]


async def test_ketua_removes_a_member_by_button_after_a_confirmation(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    await register(runtime, str(KADER))  # "Anggota 5550002", kader of Posyandu Melati
    kader = TelegramUser(bot_api, KADER, "Anggota 5550002")
    await kader.say("/lapor")  # a form under way: a conversation row of theirs
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    reply = await ketua.say("/anggota")
    assert "• Anda: Anggota 5550001 – ketua pokja – Telegram" in reply.text
    assert (
        "1. Anggota 5550002 – kader Posyandu Melati – Telegram – lapor terakhir: belum pernah"
        in reply.text
    )
    assert reply.labels == ["Anggota 5550002", "Tutup"]
    reply = await ketua.press("Anggota 5550002")
    assert "Hapus Anggota 5550002 (kader Posyandu Melati) dari daftar anggota?" in reply.text
    reply = await ketua.say("mungkin")
    assert "pilih salah satu tombol" in reply.text and await member_named(runtime, KADER)
    reply = await ketua.press("Ya, hapus")
    assert "Anggota 5550002 sudah dihapus dari daftar anggota" in reply.text

    assert await member_named(runtime, KADER) is None
    assert await rows_naming(runtime, str(KADER), "Anggota 5550002") == []
    reply = await kader.say("halo")
    assert "Anda belum terdaftar" in reply.text


async def test_a_member_removed_meanwhile_gets_the_stale_button_answer(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    kader_id = await register(runtime, str(KADER))
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    await ketua.say("/anggota")
    await ketua.press("Anggota 5550002")
    async with runtime.database.write() as session:  # the operator removes them meanwhile
        await storage.erase_member(session, kader_id, storage.utc_now())
    reply = await ketua.press("Ya, hapus")
    assert "Tombol itu dari pertanyaan sebelumnya" in reply.text
    assert reply.labels == ["Tutup"] and "Belum ada anggota lain" in reply.text


async def test_a_forged_remove_button_for_another_kampungs_member_is_refused(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    stranger = await register(runtime, str(KADER), kampung="mekarsari", unit="posyandu-anggrek")
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    reply = await ketua.say("/anggota")
    assert "Anggota 5550002" not in reply.text
    prompt = dict(reply.buttons)["Tutup"].split(".")[0]
    for forged in (f"{prompt}.m:{stranger}", f"{int(prompt) - 1}.m:{stranger}"):
        before = len(bot_api.sent)
        await bot_api.user_presses(KETUA, reply, forged)
        await bot_api.wait_for_sent(before + 1)
        assert "Tombol itu dari pertanyaan sebelumnya" in ketua.last.text
    assert await member_named(runtime, KADER) is not None
    # The shell checks again against the database: never another kampung's member, nor
    # the ketua themself.
    ketua_member = await member_named(runtime, KETUA)
    assert ketua_member is not None and ketua_member.id is not None
    async with runtime.database.read() as session:
        assert not await storage.may_remove(session, ketua_member.id, stranger)
        assert not await storage.may_remove(session, ketua_member.id, ketua_member.id)


async def test_a_kader_can_neither_invite_nor_list(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KADER))
    kader = TelegramUser(bot_api, KADER, "Anggota 5550002")
    reply = await kader.say("/undang")
    assert reply.text.startswith("Hanya ketua pokja yang bisa mengundang anggota baru.")
    reply = await kader.say("/anggota")
    assert reply.text.startswith("Hanya ketua pokja yang bisa melihat dan mengatur")
    async with runtime.database.read() as session:
        assert len((await session.exec(select(Invite))).all()) == 1  # the one they used


async def test_plkb_invites_a_ketua_and_lists_the_ketua_of_their_kecamatan(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(PLKB), role="plkb", kampung=None, unit=None, kecamatan="Cibeunying")
    plkb = TelegramUser(bot_api, PLKB, "Pak PLKB")
    reply = await plkb.say("/undang")
    assert reply.labels == ["Kampung KB Mekarsari", "Kampung KB Sukamaju", "Batal"]
    reply = await plkb.press("Kampung KB Mekarsari")
    code = code_in(reply.text)
    assert "ketua pokja Kampung KB Mekarsari" in reply.text

    newcomer = TelegramUser(bot_api, NEWCOMER, "Bu Baru")
    reply = await newcomer.say(f"/start {code}")
    assert "terdaftar sebagai ketua pokja di Kampung KB Mekarsari" in reply.text
    await register(runtime, str(KADER), kampung="mekarsari", unit="posyandu-anggrek")
    reply = await plkb.say("/anggota")
    assert "Ketua pokja di Kecamatan Cibeunying:" in reply.text
    assert "1. Bu Baru – ketua pokja Kampung KB Mekarsari – Telegram" in reply.text
    assert "Anggota 5550002" not in reply.text, "a PLKB's list holds the ketua"
    assert reply.labels == ["Bu Baru", "Tutup"]
    plkb_member, ketua_member, kader_member = [
        await member_named(runtime, key) for key in (PLKB, NEWCOMER, KADER)
    ]
    assert plkb_member and ketua_member and kader_member
    async with runtime.database.read() as session:
        assert await storage.may_remove(session, plkb_member.id or 0, ketua_member.id or 0)
        assert not await storage.may_remove(session, plkb_member.id or 0, kader_member.id or 0)


async def test_whatsapp_ketua_invites_and_removes(wa: WhatsAppBot) -> None:
    ketua = WhatsAppUser(wa, "628555")
    code = await make_invite(wa.runtime, role="ketua", unit=None)
    await ketua.say(f"DAFTAR {code}")
    reply = await ketua.say("UNDANG")
    assert set(reply.options) == {"Kader", "Ketua pokja", "Batal"}
    reply = await ketua.press("Kader")
    assert reply.body["interactive"]["type"] == "list" and "BKB Ceria" in reply.options
    reply = await ketua.press("BKB Ceria")
    kader_code = code_in(reply.text)
    assert "https://t.me/KaderTestBot?start=" in reply.text

    kader = WhatsAppUser(wa, "628666")
    reply = await kader.say(f"DAFTAR {kader_code}")
    assert "terdaftar sebagai kader di BKB Ceria" in reply.text
    reply = await ketua.say("ANGGOTA")
    assert "1. Bu Sari – kader BKB Ceria – WhatsApp – lapor terakhir: belum pernah" in reply.text
    reply = await ketua.say("1")  # the number in the list
    assert "Hapus Bu Sari (kader BKB Ceria)" in reply.text
    reply = await ketua.press("Ya, hapus")
    assert "sudah dihapus" in reply.text
    reply = await kader.say("halo")
    assert "belum terdaftar" in reply.text


def test_terminal_ketua_invites_with_numbers(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ("--config", str(config_path))
    _, out, _ = run_cli(capsys, "invite", *config, "--role", "ketua", "--kampung", "sukamaju")
    shown = chat_in_terminal(config_path, [f"/start {out.split()[0]}", "/undang", "1", "3"])
    assert "1. Kader" in shown and "3. BKB Ceria" in shown
    code = code_in(shown)
    assert f"https://t.me/KaderTestBot?start={code}" in shown
    assert "kader BKB Ceria, Kampung KB Sukamaju" in shown


async def test_two_ketua_removing_each_other_at_once_leave_one(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    for trial in range(2):  # on PostgreSQL each costs a deadlock timeout (1 s)
        keys = (6_000 + 2 * trial, 6_001 + 2 * trial)
        for key in keys:
            await register(runtime, str(key), role="ketua", unit=None)
        ketua = [TelegramUser(bot_api, key, f"Anggota {key}") for key in keys]
        for me, other in ((ketua[0], keys[1]), (ketua[1], keys[0])):
            await me.say("/anggota")
            await me.press(f"Anggota {other}")
        confirms = [next(m for m in reversed(k.messages()) if m.buttons) for k in ketua]
        before = len(bot_api.sent)
        # Both in one getUpdates answer: their turns run concurrently (different chats).
        await asyncio.gather(
            *(
                bot_api.user_presses(k.user_id, m, dict(m.buttons)["Ya, hapus"])
                for k, m in zip(ketua, confirms, strict=True)
            )
        )
        await bot_api.wait_for_sent(before + 2)
        left = [key for key in keys if await member_named(runtime, key) is not None]
        assert len(left) == 1, f"trial {trial}: {left} left of two ketua removing each other"
        gone = next(k for k in ketua if k.user_id not in left)
        assert "belum terdaftar" in gone.last.text


async def test_whatsapp_list_of_sixty_members_is_sent_whole(wa: WhatsAppBot) -> None:
    ketua = WhatsAppUser(wa, "628555")
    await ketua.say(f"DAFTAR {await make_invite(wa.runtime, role='ketua', unit=None)}")
    for n in range(60):
        member_id = await register(wa.runtime, f"{7_000 + n}")
        async with wa.runtime.database.write() as session:  # long names, as people have
            member = await session.get(Member, member_id)
            assert member is not None
            member.name = f"Ibu Siti Nurhalizah Rahmawati Putri {n + 1:02d}"
            session.add(member)
    before = len(ketua.messages())
    reply = await ketua.say("ANGGOTA")
    sent = ketua.messages()[before:]
    assert all(len(m.text) <= 4096 for m in sent)
    shown = "\n".join(m.text for m in sent)
    assert "60. Ibu Siti Nurhalizah Rahmawati Putri 60 – kader Posyandu Melati" in shown
    assert reply.text.endswith("Ketik nomornya."), reply.text[-200:]
    reply = await ketua.say("60")
    assert "Hapus Ibu Siti Nurhalizah Rahmawati Putri 60 (kader Posyandu Melati)" in reply.text


async def test_a_name_with_direction_overrides_cannot_garble_the_member_list(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await register(runtime, str(KETUA), role="ketua", unit=None)
    code = await make_invite(runtime)
    # U+202E turns the rest of a line around: "Hapus ... dari daftar anggota?" would read
    # backwards, the name shown another way than it is.
    newcomer = TelegramUser(bot_api, NEWCOMER, "Bu \u202eirtsiS\u202c \u2067Ani\u2069")
    await newcomer.say(f"/start {code}")
    ketua = TelegramUser(bot_api, KETUA, "Bu Ketua")
    reply = await ketua.say("/anggota")
    assert "1. Bu irtsiS Ani – kader Posyandu Melati" in reply.text
    reply = await ketua.press("Bu irtsiS Ani")
    assert "Hapus Bu irtsiS Ani (kader Posyandu Melati) dari daftar anggota?" in reply.text


async def test_a_removed_ketuas_unused_codes_end_with_them(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    """A ketua the PLKB removes cannot come back, nor let anyone in, with a code they made
    before; a code another ketua made still works."""
    runtime = telegram()
    await register(runtime, str(PLKB), role="plkb", kampung=None, unit=None, kecamatan="Cibeunying")
    plkb = TelegramUser(bot_api, PLKB, "Pak PLKB")
    await plkb.say("/undang")
    leaving = TelegramUser(bot_api, NEWCOMER, "Bu Lama")
    await leaving.say(f"/start {code_in((await plkb.press('Kampung KB Mekarsari')).text)}")
    await leaving.say("/undang")
    for_herself = code_in((await leaving.press("Ketua pokja")).text)
    await leaving.say("/undang")
    await leaving.press("Kader")
    for_a_kader = code_in((await leaving.press("Posyandu Anggrek")).text)
    await plkb.say("/undang")
    from_plkb = code_in((await plkb.press("Kampung KB Mekarsari")).text)

    await plkb.say("/anggota")
    await plkb.press("Bu Lama")
    assert (await plkb.press("Ya, hapus")).text.startswith("Bu Lama sudah dihapus")

    again = TelegramUser(bot_api, NEWCOMER + 50, "Bu Lama lagi")
    assert "kedaluwarsa" in (await again.say(f"/start {for_herself}")).text
    assert "kedaluwarsa" in (await again.say(f"/start {for_a_kader}")).text
    reply = await again.say(f"/start {from_plkb}")
    assert "terdaftar sebagai ketua pokja di Kampung KB Mekarsari" in reply.text
