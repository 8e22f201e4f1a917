"""The same bot over WhatsApp: signed webhooks in, Graph API messages out (both on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from PIL import Image
from sqlmodel import select

import storage
from bot.app import Runtime, open_runtime
from bot.config import load_config
from bot.outbox import OutboxSender
from bot.scheduler import Schedule, rules_from
from bot.whatsapp import WhatsAppChannel
from handlers.conversation.tokens import Act, Token, encode_notice
from storage import NoticePayload, OutboxKind, RecapPayload, TextPayload
from storage.models import Member
from tests.conftest import NOW, make_invite, stored, write_config
from tests.fakes.graphapi import TOKEN, FakeGraphApi, WaSent

SECRET = "app-secret-for-tests"
VERIFY = "verify-me"
QUIET_SECONDS = 0.05


@dataclass
class WhatsAppBot:
    runtime: Runtime
    channel: WhatsAppChannel
    graph: FakeGraphApi
    url: str
    http: httpx.AsyncClient
    clock: list[datetime]

    async def post(self, body: bytes, signature: str | None = "good") -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if signature == "good":
            digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return await self.http.post(self.url, content=body, headers=headers)


_wamids = iter(range(1, 1_000_000))


def webhook(
    wa_id: str, message: dict[str, Any], name: str = "Bu Sari", sent_at: datetime = NOW
) -> bytes:
    sent = str(int(sent_at.timestamp()))  # when the member sent it, by the platform's clock
    message = {"from": wa_id, "id": f"wamid.in{next(_wamids)}", "timestamp": sent, **message}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "555"},
                            "contacts": [{"wa_id": wa_id, "profile": {"name": name}}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


class WhatsAppUser:
    def __init__(self, bot: WhatsAppBot, wa_id: str) -> None:
        self.bot, self.wa_id = bot, wa_id

    def messages(self) -> list[WaSent]:
        return [m for m in self.bot.graph.sent if m.to == self.wa_id]

    async def _send(self, body: bytes) -> list[WaSent]:
        before = len(self.messages())
        total = len(self.bot.graph.sent)
        response = await self.bot.post(body)
        assert response.status_code == 200
        await self.bot.graph.wait_for(total + 1)
        while True:
            count = len(self.bot.graph.sent)
            await asyncio.sleep(QUIET_SECONDS)
            if len(self.bot.graph.sent) == count:
                break
        return self.messages()[before:]

    async def say(self, text: str) -> WaSent:
        return (await self._send(webhook(self.wa_id, {"type": "text", "text": {"body": text}})))[-1]

    async def press(self, title: str) -> WaSent:
        last = next(m for m in reversed(self.messages()) if m.options)
        options = last.options
        assert title in options, f"{title!r} not in {list(options)}"
        kind = "button_reply" if last.body["interactive"]["type"] == "button" else "list_reply"
        message = {
            "type": "interactive",
            "interactive": {"type": kind, kind: {"id": options[title], "title": title}},
        }
        return (await self._send(webhook(self.wa_id, message)))[-1]


WHATSAPP_CONFIG = """
[whatsapp]
listen = "127.0.0.1:0"
phone_number_id = "555"
api_base_url = "{graph}"
"""


@pytest.fixture
async def wa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WhatsAppBot]:
    monkeypatch.setenv("WHATSAPP_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_APP_SECRET", SECRET)
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", VERIFY)
    graph = FakeGraphApi()
    await graph.start()
    path = write_config(tmp_path)
    path.write_text(WHATSAPP_CONFIG.format(graph=graph.base_url) + path.read_text())
    config = load_config(path)
    assert config.whatsapp is not None
    clock = [NOW]
    async with open_runtime(config) as runtime, httpx.AsyncClient() as http:
        runtime.service.clock = lambda: clock[0]
        channel = WhatsAppChannel(runtime.service, config.whatsapp)
        await channel.start()
        url = f"http://127.0.0.1:{channel.port}/whatsapp"
        try:
            yield WhatsAppBot(runtime, channel, graph, url, http, clock)
        finally:
            await channel.stop()
            await graph.stop()


async def test_verification_handshake(wa: WhatsAppBot) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "12345"}
    response = await wa.http.get(wa.url, params=query)
    assert response.status_code == 200 and response.text == "12345"
    response = await wa.http.get(wa.url, params={**query, "hub.verify_token": "nope"})
    assert response.status_code == 403


async def test_unsigned_wrong_malformed_and_unknown_are_refused_and_store_nothing(
    wa: WhatsAppBot,
) -> None:
    body = webhook("6281", {"type": "text", "text": {"body": "halo"}})
    assert (await wa.post(body, signature=None)).status_code == 403
    assert (await wa.post(body, signature="sha256=" + "0" * 64)).status_code == 403
    assert (await wa.post(body, signature="md5=abc")).status_code == 403
    assert (await wa.post(b"{not json")).status_code == 400
    assert (await wa.post(b'{"entry": "x"}')).status_code == 400
    assert await stored(wa.runtime) == (0, 0, 0)
    user = WhatsAppUser(wa, "6281")
    got = await user._send(webhook("6281", {"type": "image", "image": {"id": "x"}}))
    assert "hanya bisa membaca pesan teks" in got[-1].text
    assert await stored(wa.runtime) == (0, 0, 1), "only the image's id, so it is answered once"
    assert wa.graph.sent and all(m.to == "6281" for m in wa.graph.sent)


async def test_register_and_report_posyandu_with_buttons(wa: WhatsAppBot) -> None:
    code = await make_invite(wa.runtime)
    user = WhatsAppUser(wa, "628111")
    reply = await user.say("halo")
    assert "belum terdaftar" in reply.text
    reply = await user.say(f"DAFTAR {code.lower()}")
    assert "Selamat datang, Bu Sari" in reply.text
    assert reply.type == "interactive" and reply.body["interactive"]["type"] == "list"
    reply = await user.press("Lapor")
    assert "Tanggal hari buka posyandu" in reply.text
    assert set(reply.options) == {"Hari ini", "Kemarin"}
    for answer in ("10/11", "lima puluh", "48", "45", "40"):
        reply = await user.say(answer)
    assert "T: balita" in reply.text and "Lewati" in reply.options
    await user.press("Lewati")
    for answer in ("2", "1"):
        await user.say(answer)
    await user.press("Lewati")
    for answer in ("1", "6", "5"):
        await user.say(answer)
    reply = await user.say("aman")
    assert "Ringkasan laporan Posyandu Melati" in reply.text
    assert set(reply.options) == {"Simpan", "Ubah", "Batal"}
    reply = await user.press("Simpan")
    assert "Tersimpan ✅" in reply.text
    async with wa.runtime.database.read() as session:
        rows = await storage.export_rows(session, period="2026-11")
    assert {(r.field, r.value) for r in rows} >= {("s", 50), ("d", 45), ("catatan", "aman")}


async def test_bkb_with_a_list_and_correction_by_plain_words(wa: WhatsAppBot) -> None:
    code = await make_invite(wa.runtime, unit="bkb-ceria")
    user = WhatsAppUser(wa, "628222")
    await user.say(f"daftar {code}")
    reply = await user.say("LAPOR")
    assert "Tanggal pertemuan" in reply.text
    for answer in ("kemarin", "30", "25", "3"):
        reply = await user.say(answer)
    assert reply.body["interactive"]["type"] == "list", "five topics need a list"
    reply = await user.press("Stimulasi dengan KKA")
    assert reply.body["interactive"]["type"] == "list" and "Sub PPKBD" in reply.options
    await user.press("Sub PPKBD")
    await user.say("20")
    await user.say("15")
    await user.press("Simpan")
    reply = await user.say("UBAH")
    [label] = reply.options
    reply = await user.press(label)
    assert "(perbaikan)" in reply.text
    reply = await user.press("Ubah")
    assert reply.body["interactive"]["type"] == "list" and len(reply.options) == 9
    reply2 = await user.say("3")  # typed number: the third field, "Hadir"
    assert "Keluarga anggota yang hadir" in reply2.text
    await user.say("26")
    reply2 = await user.press("Simpan")
    assert "revisi 2" in reply2.text


async def test_bkr_bkl_and_kb_in_one_message_each(wa: WhatsAppBot) -> None:
    runtime = wa.runtime
    code = await make_invite(runtime, role="ketua", unit=None)
    user = WhatsAppUser(wa, "628333")
    await user.say(f"DAFTAR {code}")
    reply = await user.say(
        "bkr kemarin anggota 40 hadir 32 kader 4 pus 30 puskb 22 penyaji plkb materi kespro remaja"
    )
    assert "Ringkasan laporan BKR Harapan" in reply.text
    await user.press("Simpan")
    reply = await user.say(
        "bkl 15/11 anggota 18 hadir 16 kader 2 pus 10 puskb 8 penyaji kader materi senam"
    )
    assert "Ringkasan laporan BKL Bahagia" in reply.text
    await user.press("Simpan")
    reply = await user.say(
        "kb oktober pus 100 spiral 10 kondom 5 susuk 15 suntik 20 pil 10 "
        "hamil 5 ias 5 iat 10 tial 19"
    )
    # The methods left out (MOW, MOP and every PB) are confirmed as 0 in one question.
    assert (
        "Yang tidak disebut: peserta KB aktif MOW (steril wanita), MOP (steril pria); "
        "peserta KB baru IUD/spiral, MOW (steril wanita)"
    ) in reply.text
    assert reply.text.count("Dianggap 0?") == 1
    reply = await user.press("Tidak, ulangi")
    assert "Peserta KB aktif (PA) – MOW (steril wanita)" in reply.text
    reply = await user.say("mow 1")
    assert "Yang tidak disebut: peserta KB aktif MOP (steril pria). Dianggap 0?" in reply.text
    reply = await user.press("Ya")
    assert "peserta KB baru IUD/spiral" in reply.text and "Dianggap 0?" in reply.text
    reply = await user.press("Tidak, ulangi")
    assert "Peserta KB baru (PB) bulan ini – IUD/spiral" in reply.text
    reply = await user.say("suntik 2 pil 1")
    assert "Dianggap 0" in reply.text
    reply = await user.press("Ya")
    assert "Ringkasan laporan KB – PPKBD Sukamaju" in reply.text
    await user.press("Simpan")
    async with runtime.database.read() as session:
        october = await storage.export_rows(session, period="2026-10")
        november = await storage.export_rows(session, period="2026-11")
    assert {(r.field, r.value) for r in october} >= {
        ("pus", 100),
        ("aktif_iud", 10),
        ("aktif_mow", 1),
        ("aktif_mop", 0),
        ("baru_suntik", 2),
    }
    assert {r.unit for r in november} == {"bkr-harapan", "bkl-bahagia"}


async def test_redelivered_message_is_handled_once(wa: WhatsAppBot) -> None:
    code = await make_invite(wa.runtime)
    user = WhatsAppUser(wa, "628444")
    await user.say(f"DAFTAR {code}")
    body = webhook("628444", {"type": "text", "text": {"body": "/lapor"}})
    await user._send(body)
    count = len(user.messages())
    assert (await wa.post(body)).status_code == 200
    await asyncio.sleep(0.2)
    assert len(user.messages()) == count


async def test_silent_member_gets_the_template_then_the_recap_when_answering(
    wa: WhatsAppBot,
) -> None:
    runtime = wa.runtime
    code = await make_invite(runtime, role="ketua", unit=None)
    ketua = WhatsAppUser(wa, "628555")
    await ketua.say(f"DAFTAR {code}")  # last message at NOW
    async with runtime.database.write() as session:
        [chair] = await storage.recipients(session, role="ketua")
        assert chair.kampung_id is not None
        await storage.enqueue(
            session,
            kind=OutboxKind.RECAP,
            member_id=chair.id,
            period="2026-11",
            payload=RecapPayload(kampung_id=chair.kampung_id, period="2026-11"),
            now=NOW,
        )
    later = NOW + timedelta(days=2)
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: later)
    before = len(ketua.messages())
    await sender.drain_once()
    [template] = ketua.messages()[before:]
    assert template.type == "template"
    assert template.body["template"]["name"] == "kaderbot_rekap"
    parameters = template.body["template"]["components"][0]["parameters"]
    assert [p["text"] for p in parameters] == ["Kampung KB Sukamaju", "November 2026"]
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert (row.status, row.path) == ("waiting", "template")

    wa.clock[0] = later
    await ketua.say("ya")  # the answer opens the window again
    before = len(ketua.messages())
    await sender.drain_once()
    got = ketua.messages()[before:]
    assert [m.type for m in got] == ["text", "image", "document"]
    assert "Rekap Kampung KB Sukamaju" in got[0].text
    assert got[1].media is not None and Image.open(io.BytesIO(got[1].media[1])).format == "PNG"
    assert got[2].media is not None
    book = openpyxl.load_workbook(io.BytesIO(got[2].media[1]))
    assert "Ringkasan" in book.sheetnames
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert (row.status, row.path) == ("sent", "template+session")


async def test_silent_ketua_gets_the_status_in_the_reminder_template_then_the_final_recap(
    wa: WhatsAppBot,
) -> None:
    runtime = wa.runtime
    code = await make_invite(runtime, role="ketua", unit=None)
    ketua = WhatsAppUser(wa, "628777")
    await ketua.say(f"DAFTAR {code}")  # last message at NOW, 20 November
    clock = [datetime(2026, 12, 1, 0, 5, tzinfo=UTC)]  # 07:05 WIB on the 1st
    rules = rules_from(runtime.config.schedule)
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: clock[0])
    schedule = Schedule(runtime.database, rules, lambda: clock[0])
    await schedule.tick()
    before = len(ketua.messages())
    await sender.drain_once()
    [status] = ketua.messages()[before:]
    assert status.type == "template"
    assert status.body["template"]["name"] == "kaderbot_pengingat"
    [parameter] = status.body["template"]["components"][0]["parameters"]
    assert "Status laporan November 2026" in parameter["text"]
    assert "Posyandu Melati (belum ada kader terdaftar)" in parameter["text"]
    assert "Batas lapor: Kamis, 3 Desember 2026" in parameter["text"]

    clock[0] = datetime(2026, 12, 4, 0, 5, tzinfo=UTC)  # 07:05 WIB on the 4th
    await schedule.tick()
    before = len(ketua.messages())
    await sender.drain_once()
    [template] = ketua.messages()[before:]
    assert template.body["template"]["name"] == "kaderbot_rekap"
    async with runtime.database.read() as session:
        rows = await storage.outbox_rows(session)
    assert [(r.kind, r.status, r.path) for r in rows] == [
        ("recap_status", "sent", "template"),
        ("final_recap", "waiting", "template"),
    ]
    wa.clock[0] = clock[0]
    answer = {"type": "text", "text": {"body": "ya"}}
    await ketua._send(webhook("628777", answer, sent_at=clock[0]))  # opens the window again
    before = len(ketua.messages())
    await sender.drain_once()
    got = ketua.messages()[before:]
    assert [m.type for m in got] == ["text", "image", "document"]
    assert got[0].text.startswith("📊 Rekap akhir Kampung KB Sukamaju")


async def test_reminder_inside_the_window_is_a_plain_message_and_5xx_is_retried(
    wa: WhatsAppBot,
) -> None:
    runtime = wa.runtime
    code = await make_invite(runtime)
    kader = WhatsAppUser(wa, "628666")
    await kader.say(f"DAFTAR {code}")
    async with runtime.database.write() as session:
        [member] = (await session.exec(select(Member))).all()
        assert member.id is not None
        await storage.enqueue(
            session,
            kind=OutboxKind.TEXT,
            member_id=member.id,
            period="x",
            payload=TextPayload(text="Pengingat uji"),
            now=NOW,
        )
    wa.graph.failures = [500]
    soon = NOW + timedelta(hours=1)
    clock = [soon]
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: clock[0])
    await sender.drain_once()
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert row.status == "pending" and row.attempts == 1
    clock[0] = soon + timedelta(minutes=5)
    await sender.drain_once()
    assert kader.messages()[-1].text == "Pengingat uji"
    async with runtime.database.read() as session:
        [row] = await storage.outbox_rows(session)
    assert (row.status, row.path) == ("sent", "session")


def test_whatsapp_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    path = write_config(tmp_path)
    path.write_text('[whatsapp]\nlisten = "nohost"\nphone_number_id = "1"\n' + path.read_text())
    assert main(["--config", str(path), "run"]) == 2
    path.write_text(path.read_text().replace('listen = "nohost"\n', ""))
    monkeypatch.delenv("WHATSAPP_APP_SECRET", raising=False)
    monkeypatch.setenv("WHATSAPP_TOKEN", "x")
    assert main(["--config", str(path), "run"]) == 2


async def test_kaderbot_run_serves_the_webhook_without_telegram(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = write_config(tmp_path)
    text = WHATSAPP_CONFIG.format(graph="http://127.0.0.1:9/v23.0").replace(
        "127.0.0.1:0", f"127.0.0.1:{port}"
    )
    path.write_text(text + path.read_text())
    env = {
        **os.environ,
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
    }
    env.pop("KADERBOT_TEST_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(path), env=env
    )
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(30):
            while True:
                try:
                    response = await http.get(
                        f"http://127.0.0.1:{port}/whatsapp",
                        params={
                            "hub.mode": "subscribe",
                            "hub.verify_token": VERIFY,
                            "hub.challenge": "ok7",
                        },
                    )
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
        assert response.status_code == 200 and response.text == "ok7"
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    assert process.returncode == 0


async def test_a_notice_outside_the_window_comes_whole_with_buttons_once_answered(
    wa: WhatsAppBot,
) -> None:
    """A template carries no buttons: the notice's text goes by template, and the message
    with its buttons follows the member's answer."""
    runtime = wa.runtime
    ketua = WhatsAppUser(wa, "628556")
    await ketua.say(f"DAFTAR {await make_invite(runtime, role='ketua', unit=None)}")
    data = encode_notice(Token(Act.REPORT, "12"))
    async with runtime.database.write() as session:
        [chair] = await storage.recipients(session, role="ketua")
        await storage.enqueue(
            session,
            kind=OutboxKind.NOTICE,
            member_id=chair.id,
            period="review:12",
            payload=NoticePayload(text="Laporan Posyandu Mawar", choices=(("Setujui", data),)),
            now=NOW,
        )
    later = NOW + timedelta(days=2)
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: later)
    before = len(ketua.messages())
    await sender.drain_once()
    [template] = ketua.messages()[before:]
    assert template.type == "template"
    [parameter] = template.body["template"]["components"][0]["parameters"]
    assert parameter["text"] == "Balas pesan ini untuk melihat tombolnya. · Laporan Posyandu Mawar"
    wa.clock[0] = later
    await ketua.say("ya")
    before = len(ketua.messages())
    await sender.drain_once()
    [whole] = ketua.messages()[before:]
    assert whole.type == "interactive"
    assert [b["reply"]["id"] for b in whole.body["interactive"]["action"]["buttons"]] == [data]


async def test_a_report_reaches_the_ketua_for_review_as_interactive_buttons(
    wa: WhatsAppBot,
) -> None:
    runtime = wa.runtime
    ketua = WhatsAppUser(wa, "628557")
    await ketua.say(f"DAFTAR {await make_invite(runtime, role='ketua', unit=None)}")
    kader = WhatsAppUser(wa, "628558")
    await kader.say(f"DAFTAR {await make_invite(runtime)}")
    await kader.say("posyandu 10/11 S50 K48 D45 N40 BGM1 bumil6 kader5")
    reply = await kader.press("Simpan")
    assert "Tersimpan" in reply.text
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: NOW)
    before = len(ketua.messages())
    await sender.drain_once()
    [review] = ketua.messages()[before:]
    assert review.type == "interactive" and review.text.startswith("📋 Laporan baru")
    assert list(review.options) == ["Setujui", "Kembalikan"]
    reply = await ketua.press("Setujui")
    assert reply.text.startswith("Disetujui ✅ Posyandu Melati")


async def test_a_forged_button_with_an_id_beyond_the_database_integer_is_refused_once(
    wa: WhatsAppBot,
) -> None:
    """A button id no bot wrote, with an id too big for the database's integer column: it
    is a stale button like any other, not a turn that fails (and comes back from Meta's
    retries for a week)."""
    ketua = WhatsAppUser(wa, "628559")
    await ketua.say(f"DAFTAR {await make_invite(wa.runtime, role='ketua', unit=None)}")
    big = "9" * 25
    forged = (f"n.ap:{big}.1", f"n.rt:{big}.1", f"n.ul:1_2026-10_{big}", f"n.dn:{big}_2026-10_1")
    for data in forged:
        pressed = {"type": "button_reply", "button_reply": {"id": data, "title": "Setujui"}}
        reply = {"type": "interactive", "interactive": pressed}
        [answer] = await ketua._send(webhook("628559", reply))
        assert answer.text.startswith("Tombol itu dari pertanyaan sebelumnya."), data


async def test_a_long_notice_outside_the_window_still_says_to_answer_for_the_buttons(
    wa: WhatsAppBot,
) -> None:
    """A correction of the KB form names every changed field, its figures and warnings: a
    thousand characters and more. The template parameter is cut to fit; what it is cut
    from must not be the one sentence that tells the ketua how to get the buttons."""
    runtime = wa.runtime
    ketua = WhatsAppUser(wa, "628560")
    await ketua.say(f"DAFTAR {await make_invite(runtime, role='ketua', unit=None)}")
    long_review = "✏️ Laporan diperbaiki: KB – PPKBD Sukamaju\n" + "\n".join(
        f"PA suntik: {n} -> {n + 100}" for n in range(60)
    )
    data = encode_notice(Token(Act.APPROVE, "1.2"))
    async with runtime.database.write() as session:
        [chair] = await storage.recipients(session, role="ketua")
        await storage.enqueue(
            session,
            kind=OutboxKind.NOTICE,
            member_id=chair.id,
            period="review:1.2",
            payload=NoticePayload(text=long_review, choices=(("Setujui", data),)),
            now=NOW,
        )
    sender = OutboxSender(runtime.database, {"whatsapp": wa.channel}, lambda: NOW + timedelta(2))
    before = len(ketua.messages())
    await sender.drain_once()
    [template] = ketua.messages()[before:]
    [parameter] = template.body["template"]["components"][0]["parameters"]
    assert len(parameter["text"]) <= 1000
    assert "Balas pesan ini untuk melihat tombolnya." in parameter["text"]
    assert "Laporan diperbaiki: KB – PPKBD Sukamaju" in parameter["text"]
