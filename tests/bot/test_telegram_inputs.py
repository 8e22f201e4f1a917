"""What Telegram may POST besides a text: bodies that are not updates, and every update type.

The real webhook server of bot/telegram.py, hit over HTTP; replies go to the fake Bot API.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from bot.app import Runtime, open_runtime
from bot.config import load_config
from bot.telegram import TelegramChannel
from storage.models import Conversation
from tests.bot.test_production import SECRET, free_port
from tests.conftest import NOW, TOKEN, TelegramUser, make_invite, stored, write_config
from tests.fakes.botapi import FakeBotApi, Sent

USER = 80
_updates = iter(range(70_000, 10_000_000))


@dataclass
class Hook:
    runtime: Runtime
    api: FakeBotApi
    http: httpx.AsyncClient
    url: str

    async def post(self, body: bytes) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        response = await self.http.post(self.url, content=body, headers=headers, timeout=30)
        return response.status_code

    async def send(self, update: dict[str, Any]) -> list[Sent]:
        """Deliver `update`; what the bot answered (handled before the 200)."""
        before = len(self.api.sent)
        assert await self.post(json.dumps(update).encode()) == 200
        return self.api.sent[before:]

    async def say(self, text: str) -> Sent:
        [reply] = await self.send(message_update(text=text))
        return reply


def message_update(key: str = "message", **content: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_updates),
        "date": int(NOW.timestamp()),
        "chat": {"id": USER, "type": "private", "first_name": "Bu Tini"},
        "from": {"id": USER, "is_bot": False, "first_name": "Bu Tini"},
        **content,
    }
    text = content.get("text", "")
    if isinstance(text, str) and text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_updates), key: message}


@pytest.fixture
async def hook(tmp_path: Path, bot_api: FakeBotApi) -> AsyncIterator[Hook]:
    port = free_port()
    config = load_config(write_config(tmp_path, bot_api.base_url))
    async with open_runtime(config) as runtime, httpx.AsyncClient() as http:
        runtime.service.clock = lambda: NOW
        channel = TelegramChannel(runtime.service, TOKEN, bot_api.base_url)
        url = "https://bot.example.org/telegram"
        await channel.start_webhook(url, f"127.0.0.1:{port}", SECRET)
        try:
            yield Hook(runtime, bot_api, http, f"http://127.0.0.1:{port}/telegram")
        finally:
            await channel.stop()


async def state_of(runtime: Runtime) -> str:
    async with runtime.database.read() as session:
        [row] = (await session.exec(select(Conversation))).all()
    return row.state


@pytest.mark.parametrize(
    "body",
    [
        b"[1]",
        b'"x"',
        b"null",
        b"1",
        b"[" * 100_000 + b"]" * 100_000,
        b"{}",
        b'{"update_id": "abc"}',
        b'{"update_id": 1, "message": "x"}',
        b'{"update_id": 1, "message": {"text": "no chat, no date"}}',
        b"\xff\xfe",
    ],
    ids=["list", "string", "null", "number", "deep", "empty", "id", "message", "partial", "bytes"],
)
async def test_a_body_that_is_not_an_update_gets_400_and_one_log_line(
    hook: Hook, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert await hook.post(body) == 400
    lines = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert lines[0].exc_info is None, "one line, no traceback"
    assert hook.api.sent == [] and await stored(hook.runtime) == (0, 0, 0)


async def test_photos_stickers_voice_locations_contacts_keep_the_open_form(hook: Hook) -> None:
    code = await make_invite(hook.runtime)
    await hook.say(f"/start {code}")
    await hook.say("/lapor")
    question = await hook.say("10/11")
    assert "S: jumlah balita sasaran" in question.text
    state = await state_of(hook.runtime)
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    others: list[dict[str, Any]] = [
        {"photo": photo, "caption": "50"},
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
        {"location": {"latitude": -6.9, "longitude": 107.6}},
        {"contact": {"phone_number": "+628123", "first_name": "Bu Ani"}},
        {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "laporan.pdf"}},
    ]
    for content in others:
        update = message_update(**content)
        [reply] = await hook.send(update)
        assert "hanya bisa membaca pesan teks" in reply.text
        assert "S: jumlah balita sasaran" in reply.text, "the same question again"
        assert await state_of(hook.runtime) == state, "the form stays where it was"
        assert await hook.send(update) == [], "a redelivered photo is answered once"
    reply = await hook.say("50")
    assert "K: balita yang punya KMS" in reply.text


async def test_edits_blocks_reactions_and_service_messages_are_ignored(hook: Hook) -> None:
    code = await make_invite(hook.runtime)
    await hook.say(f"/start {code}")
    await hook.say("/lapor")
    state = await state_of(hook.runtime)
    chat = {"id": USER, "type": "private", "first_name": "Bu Tini"}
    user = {"id": USER, "is_bot": False, "first_name": "Bu Tini"}
    member = {"user": {"id": 1000, "is_bot": True, "first_name": "KaderBot"}}
    ignored: list[dict[str, Any]] = [
        message_update("edited_message", text="10/11", edit_date=int(NOW.timestamp())),
        {
            "update_id": next(_updates),
            "my_chat_member": {
                "chat": chat,
                "from": user,
                "date": int(NOW.timestamp()),
                "old_chat_member": {**member, "status": "member"},
                "new_chat_member": {**member, "status": "kicked", "until_date": 0},
            },
        },
        {
            "update_id": next(_updates),
            "message_reaction": {
                "chat": chat,
                "message_id": 5,
                "user": user,
                "date": int(NOW.timestamp()),
                "old_reaction": [],
                "new_reaction": [{"type": "emoji", "emoji": "👍"}],
            },
        },
        message_update(message_auto_delete_timer_changed={"message_auto_delete_time": 86400}),
        {"update_id": next(_updates)},
    ]
    for update in ignored:
        assert await hook.send(update) == []
    assert await state_of(hook.runtime) == state
    reply = await hook.say("10/11")
    assert "S: jumlah balita sasaran" in reply.text, "the form went on where it was"


async def test_a_photo_from_a_stranger_is_answered_once_and_stores_only_its_id(
    hook: Hook,
) -> None:
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    update = message_update(photo=photo)
    [reply] = await hook.send(update)
    assert "hanya bisa membaca pesan teks" in reply.text
    assert await hook.send(update) == []
    assert await stored(hook.runtime) == (0, 0, 1)


async def test_a_redelivered_photo_is_answered_once_when_polling(
    telegram: Callable[[], Runtime], bot_api: FakeBotApi
) -> None:
    user = TelegramUser(bot_api, 81, "Bu Ani")
    before = len(bot_api.sent)
    update = await bot_api.user_sends_photo(81)
    reply = await user._wait_reply(before)
    assert "hanya bisa membaca pesan teks" in reply.text
    await bot_api.push(update)  # the same update id again, as after a lost confirmation
    reply = await user.say("halo")
    assert "belum terdaftar" in reply.text
    assert [m.text for m in user.messages()].count(user.messages()[0].text) == 1
