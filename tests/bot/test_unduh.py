"""/unduh through the real python-telegram-bot client and the fake Bot API: a ketua picks
a layout and a month and receives the workbook as a document; a PLKB gets every Kampung
KB of the kecamatan in one file; a kader is told it is the ketua's and the PLKB's."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import date

import openpyxl

import storage
from bot.app import Runtime
from tests.bot.test_export_layouts import KB_MONTH
from tests.conftest import NOW, TelegramUser, make_invite, register
from tests.fakes.botapi import FakeBotApi, Sent

GetRuntime = Callable[[], Runtime]


async def press_expecting(user: TelegramUser, label: str, count: int) -> list[Sent]:
    """Press `label` and wait for exactly `count` messages back (files take longer)."""
    message = next(m for m in reversed(user.messages()) if m.buttons)
    assert label in message.labels, f"no button {label!r} in {message.labels}"
    before = len(user.messages())
    await user.api.user_presses(user.user_id, message, dict(message.buttons)[label], user.name)
    async with asyncio.timeout(10), user.api.changed:
        await user.api.changed.wait_for(lambda: len(user.messages()) >= before + count)
    return user.messages()[before:]


async def seed(runtime: Runtime) -> None:
    kader = await register(runtime, "701", unit="kb-sukamaju")
    async with runtime.database.write() as session:
        units = {u.slug: u.id for u in await storage.active_units(session, [1, 2])}
        for slug, form, slot, day, values in (
            ("kb-sukamaju", "kb", "2026-11", None, KB_MONTH),
            ("posyandu-melati", "posyandu", "2026-11", date(2026, 11, 10),
             {"s": 50, "k": 48, "d": 45, "n": 40, "bgm": 1, "bumil": 6, "kader_hadir": 5}),
        ):  # fmt: skip
            await storage.save_report(
                session,
                unit_id=units[slug],
                form=form,
                slot=slot,
                period="2026-11",
                meeting_date=day,
                values=values,  # type: ignore[arg-type]
                correction_of=None,
                member_id=kader,
                now=NOW,
            )


async def test_ketua_downloads_the_portal_month_as_a_document(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await seed(runtime)
    code = await make_invite(runtime, role="ketua", unit=None)
    ketua = TelegramUser(bot_api, 970, "Pak Ketua")
    await ketua.say(f"/start {code}")
    menu = await ketua.say("/menu")
    assert "Unduh format laporan" in menu.labels, "in the ketua's menu"

    reply = await ketua.say("/unduh")
    assert reply.text.startswith("Unduh laporan dalam format apa?")
    assert reply.labels == ["Portal Kampung KB", "Register R/I poktan", "Rekap SKDN (F2)"]
    [months] = await press_expecting(ketua, "Portal Kampung KB", 1)
    assert months.labels == ["November 2026", "Oktober 2026"], "the months the bot holds"
    said, document, menu = await press_expecting(ketua, "November 2026", 3)
    assert (
        said.text
        == "Portal Kampung KB, November 2026: Kampung KB Sukamaju. Siap dicetak di kertas A4."
    )
    assert document.kind == "document" and document.file_name == "portal-sukamaju-2026-11.xlsx"
    assert menu.text == "Mau melakukan apa?"
    [sheet] = openpyxl.load_workbook(io.BytesIO(document.file_data)).worksheets
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True)}
    assert values["Jumlah PUS"] == 628 and values["Jumlah PUS peserta KB"] == 447
    assert values["Jumlah PUS bukan peserta KB"] == 181
    assert sheet.page_setup.paperSize is not None and str(sheet.page_setup.paperSize) == "9"

    await ketua.say("/unduh")
    await press_expecting(ketua, "Rekap SKDN (F2)", 1)
    refused = await ketua.say("2025-01")  # typed, and not a month the bot holds
    assert refused.text.startswith("Bulan itu tidak ada.")
    assert refused.labels == ["November 2026", "Oktober 2026"], "asked again"
    said, document, _ = await ketua.say_expecting("oktober", 3)
    assert document.file_name == "skdn-sukamaju-2026-10.xlsx"
    [sheet] = openpyxl.load_workbook(io.BytesIO(document.file_data)).worksheets
    rows = list(sheet.iter_rows(values_only=True))
    melati = next(row for row in rows if row[1] == "Posyandu Melati")
    assert melati[-1] == "belum lapor", "October has no posyandu report"


async def test_plkb_gets_every_kampung_and_a_kader_is_told_no(
    telegram: GetRuntime, bot_api: FakeBotApi
) -> None:
    runtime = telegram()
    await seed(runtime)
    code = await make_invite(runtime, role="plkb", kampung=None, unit=None, kecamatan="Cibeunying")
    plkb = TelegramUser(bot_api, 971, "Bu PLKB")
    await plkb.say(f"/start {code}")
    await plkb.say("/unduh")
    await press_expecting(plkb, "Register R/I poktan", 1)
    said, document, _ = await press_expecting(plkb, "November 2026", 3)
    assert said.text.endswith("Kecamatan Cibeunying. Siap dicetak di kertas A4.")
    assert document.file_name == "register-cibeunying-2026-11.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(document.file_data))
    assert book.sheetnames == [
        "R.I.UPPKA UPPKA Maju",
        "R.I.PIK-R PIK-R Generasi Berenc",  # 31 characters at most
        "R.I.BKB BKB Ceria",
        "R.I.BKR BKR Harapan",
        "R.I.BKL BKL Bahagia",
    ], "Mekarsari's groups, then Sukamaju's: every Kampung KB by name"
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.print_options.gridLines

    kader_code = await make_invite(runtime)
    kader = TelegramUser(bot_api, 972, "Bu Kader")
    await kader.say(f"/start {kader_code}")
    assert "Unduh format laporan" not in (await kader.say("/menu")).labels
    reply = await kader.say("/unduh")
    assert reply.text.startswith(
        "Unduhan format portal, register R/I dan SKDN hanya untuk ketua pokja dan PLKB."
    )
    assert not [m for m in kader.messages() if m.kind == "document"]
