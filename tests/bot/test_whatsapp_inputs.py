"""What the WhatsApp Cloud API really POSTs besides a text, and bodies that are not webhooks.

Shapes follow Meta's webhook reference (as collected in pywa's test data): media, stickers,
voice, locations, contacts, reactions, edits, system messages, template quick-reply buttons,
"unsupported" messages, the 131000 "unsupported webhook payload" (an interactive message
without its `interactive` object, with the error beside it), status updates, several
messages in one POST. Through the real webhook server, the fake Graph API and SQLite.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from storage.models import Conversation
from tests.bot.test_whatsapp import WhatsAppBot, WhatsAppUser, wa  # noqa: F401
from tests.conftest import NOW, make_invite, stored

SENDER = "628777"
_ids = iter(range(1, 1_000_000))


def message(kind: str, sent_at: int | None = None, **content: Any) -> dict[str, Any]:
    return {
        "from": SENDER,
        "id": f"wamid.x{next(_ids)}",
        "timestamp": str(sent_at if sent_at is not None else int(NOW.timestamp())),
        "type": kind,
        **content,
    }


def body(*messages: dict[str, Any], **value: Any) -> bytes:
    change = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281", "phone_number_id": "555"},
        "contacts": [{"profile": {"name": "Bu Sari"}, "wa_id": SENDER}],
        **({"messages": list(messages)} if messages else {}),
        **value,
    }
    entry = {"id": "WABA", "changes": [{"value": change, "field": "messages"}]}
    return json.dumps({"object": "whatsapp_business_account", "entry": [entry]}).encode()


async def answers(wa: WhatsAppBot, payload: bytes, expect: int) -> list[str]:  # noqa: F811
    """POST a signed body; the texts sent back to SENDER (waiting for `expect` of them)."""
    user = WhatsAppUser(wa, SENDER)
    before = len(user.messages())
    response = await wa.post(payload)
    assert response.status_code == 200
    if expect:
        async with asyncio.timeout(10), wa.graph.changed:
            await wa.graph.changed.wait_for(lambda: len(user.messages()) >= before + expect)
    await asyncio.sleep(0.1)  # nothing more comes
    return [m.text for m in user.messages()[before:]]


async def state_of(wa: WhatsAppBot) -> str:  # noqa: F811
    async with wa.runtime.database.read() as session:
        [row] = (await session.exec(select(Conversation))).all()
    return row.state


async def in_a_form(wa: WhatsAppBot) -> str:  # noqa: F811
    """SENDER registered and at the S question of a posyandu report; the stored state."""
    code = await make_invite(wa.runtime)
    user = WhatsAppUser(wa, SENDER)
    await user.say(f"DAFTAR {code}")
    await user.say("LAPOR")
    reply = await user.say("10/11")
    assert "S: jumlah balita sasaran" in reply.text
    return await state_of(wa)


@pytest.mark.parametrize(
    "payload",
    [
        b"[1]",
        b'"x"',
        b"null",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"entry": "x"}',
        b'{"entry": [{"changes": "x"}]}',
        b'{"entry": [{"changes": [{"value": {"messages": {"id": 1}}}]}]}',
        b"\xff\xfe",
    ],
    ids=["list", "string", "null", "deep", "entry", "changes", "messages", "bytes"],
)
async def test_a_body_that_is_not_a_webhook_gets_400_and_one_log_line(
    wa: WhatsAppBot,  # noqa: F811
    payload: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        assert (await wa.post(payload)).status_code == 400
    lines = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING and lines[0].exc_info is None
    assert await stored(wa.runtime) == (0, 0, 0) and wa.graph.sent == []


@pytest.mark.parametrize(
    "broken",
    [
        {"from": SENDER, "timestamp": "1", "type": "text", "text": {"body": "tanpa id"}},
        {"from": SENDER, "id": "wamid.t", "type": "text", "text": None},
        {"from": SENDER, "id": "wamid.b", "type": "text", "text": {"body": 5}},
        {"id": "wamid.f", "type": "text", "text": {"body": "tanpa pengirim"}},
        "not a message",
    ],
    ids=["no-id", "text-null", "body-number", "no-from", "string"],
)
async def test_a_broken_message_is_ignored_and_the_rest_of_its_batch_handled(
    wa: WhatsAppBot,  # noqa: F811
    broken: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if isinstance(broken, dict) and "timestamp" not in broken:
        broken = {**broken, "timestamp": str(int(NOW.timestamp()))}
    with caplog.at_level(logging.INFO):
        got = await answers(wa, body(broken, message("text", text={"body": "halo"})), 1)
    assert len(got) == 1 and "belum terdaftar" in got[0]
    lines = [
        r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.WARNING
    ]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert await stored(wa.runtime) == (0, 1, 1), "only the good message is recorded"


async def test_meta_unsupported_payload_131000_does_not_block_its_batch(
    wa: WhatsAppBot,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An interactive message without `interactive`, the error beside it, and a valid
    text in the same POST: 200, the text answered, the odd one told to send text."""
    before = await in_a_form(wa)
    unsupported = message("interactive", context={"from": "555", "id": "wamid.out"})
    error = {
        "code": 131000,
        "title": "Something went wrong",
        "message": "Something went wrong",
        "error_data": {"details": "Unsupported webhook payload"},
    }
    with caplog.at_level(logging.INFO):
        got = await answers(
            wa, body(unsupported, message("text", text={"body": "50"}), errors=[error]), 2
        )
    assert "hanya bisa membaca pesan teks" in got[0] and "S: jumlah balita" in got[0]
    assert "K: balita yang punya KMS" in got[1], "the valid message was handled"
    assert before != await state_of(wa)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "131000" in warnings[0]
    # Meta would deliver it again after a 5xx; now it was a 200, and a redelivery is quiet.
    assert await answers(wa, body(unsupported), 0) == []


_CONTACT = {"name": {"formatted_name": "Bu Ani", "first_name": "Ani"}, "phones": []}
ANSWERED: dict[str, dict[str, Any]] = {
    "image": {"image": {"mime_type": "image/jpeg", "sha256": "x", "id": "1"}},
    "sticker": {"sticker": {"mime_type": "image/webp", "sha256": "x", "id": "2"}},
    "voice": {"audio": {"mime_type": "audio/ogg", "sha256": "x", "id": "3", "voice": True}},
    "video": {"video": {"mime_type": "video/mp4", "sha256": "x", "id": "4"}},
    "document": {"document": {"filename": "a.pdf", "mime_type": "application/pdf", "id": "5"}},
    "location": {"location": {"latitude": -6.9, "longitude": 107.6}},
    "contacts": {"contacts": [_CONTACT]},
    "unsupported": {
        "errors": [{"code": 131051, "title": "Message type unknown", "message": "unknown"}]
    },
    "list-without-reply": {"interactive": {"type": "nfm_reply"}},
}


@pytest.mark.parametrize("kind", list(ANSWERED))
async def test_media_and_other_kinds_are_answered_once_and_keep_the_form(
    wa: WhatsAppBot,  # noqa: F811
    kind: str,
) -> None:
    before = await in_a_form(wa)
    content = ANSWERED[kind]
    platform_type = {
        "voice": "audio",
        "list-without-reply": "interactive",
    }.get(kind, kind)
    sent = message(platform_type, **content)
    [reply] = await answers(wa, body(sent), 1)
    assert "hanya bisa membaca pesan teks" in reply and "S: jumlah balita" in reply
    assert await state_of(wa) == before, "the form stays where it was"
    assert await answers(wa, body(sent), 0) == [], "a redelivery is not answered again"
    got = await answers(wa, body(message("text", text={"body": "50"})), 1)
    assert "K: balita yang punya KMS" in got[0]


async def test_reactions_edits_system_messages_and_statuses_are_ignored(
    wa: WhatsAppBot,  # noqa: F811
) -> None:
    before = await in_a_form(wa)
    ignored = [
        body(message("reaction", reaction={"message_id": "wamid.out", "emoji": "👍"})),
        body(
            message(
                "edit",
                edit={
                    "original_message_id": "wamid.old",
                    "message": {"type": "text", "text": {"body": "49"}},
                },
            )
        ),
        body(
            message(
                "system",
                system={"body": "changed number", "wa_id": "62999", "type": "user_changed_number"},
            )
        ),
        body(
            statuses=[
                {"id": "wamid.out", "status": status, "timestamp": "1", "recipient_id": SENDER}
                for status in ("sent", "delivered", "read")
            ]
        ),
        body(
            statuses=[
                {
                    "id": "wamid.out",
                    "status": "failed",
                    "timestamp": "1",
                    "recipient_id": SENDER,
                    "errors": [{"code": 131047, "title": "Re-engagement message"}],
                }
            ]
        ),
    ]
    for payload in ignored:
        assert await answers(wa, payload, 0) == []
    assert await state_of(wa) == before


async def test_a_template_quick_reply_button_is_read_as_its_text(
    wa: WhatsAppBot,  # noqa: F811
) -> None:
    await in_a_form(wa)
    pressed = message(
        "button",
        context={"from": "555", "id": "wamid.template"},
        button={"payload": "Kirim rekap", "text": "BATAL"},
    )
    [reply] = await answers(wa, body(pressed), 1)
    assert "Dibatalkan" in reply


async def test_several_messages_in_one_post_are_each_answered_in_order(
    wa: WhatsAppBot,  # noqa: F811
) -> None:
    await in_a_form(wa)
    batch = body(*(message("text", text={"body": n}) for n in ("50", "48", "45")))
    got = await answers(wa, batch, 3)
    assert "K: balita" in got[0] and "D: balita" in got[1] and "N: balita" in got[2]


async def test_a_replay_older_than_the_pruning_window_is_refused_by_its_timestamp(
    wa: WhatsAppBot,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = await make_invite(wa.runtime)
    registration = body(message("text", text={"body": f"DAFTAR {code}"}))
    [welcome] = await answers(wa, registration, 1)
    assert "Selamat datang" in welcome
    lapor = body(message("text", text={"body": "LAPOR"}))
    await answers(wa, lapor, 1)
    counts = await stored(wa.runtime)
    # Nine days later the ids are pruned; the signed bodies are sent again.
    wa.clock[0] = NOW + timedelta(days=9)
    assert await wa.runtime.service.prune() == 2
    before = await state_of(wa)
    with caplog.at_level(logging.INFO):
        assert await answers(wa, lapor, 0) == []
    lines = [r for r in caplog.records if r.name.startswith(("bot.", "handlers."))]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert await state_of(wa) == before
    assert await stored(wa.runtime) == (counts[0], counts[1], 0), "nothing stored"
    # A message a few days old (a platform retry after an outage) is still handled.
    late = body(message("text", text={"body": "BATAL"}, sent_at=int(NOW.timestamp()) + 3 * 86400))
    [reply] = await answers(wa, late, 1)
    assert "Dibatalkan" in reply
