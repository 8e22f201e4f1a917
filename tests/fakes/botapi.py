"""A fake Telegram Bot API server on 127.0.0.1 for the real python-telegram-bot client.

It keeps an update queue that `getUpdates` long-polls (confirmed by offset, as Telegram
does), records what the bot sends, and lets a test act as users: type text, press buttons.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 1000,
    "is_bot": True,
    "first_name": "KaderBot",
    "username": "KaderTestBot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "entities"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout"}


@dataclass
class Sent:
    chat_id: int
    message_id: int
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "text"  # text | photo | document
    file_name: str = ""
    file_data: bytes = b""

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.buttons]


class FakeBotApi:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[int, Sent] = {}
        self._next_update = 1
        self.fetched = 0  # the highest update id a getUpdates answer has carried
        self._next_message = 1
        self.changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._polls_released = False
        # Scripted failures: method -> (HTTP status, retry_after) answers given before success.
        self.failures: dict[str, list[tuple[int, int | None]]] = {}
        # When set, sends beyond this many per second get a 429, as Telegram's flood limit.
        self.limit_per_second: float | None = None
        self._recent_sends: list[float] = []
        self.refused = 0
        self.send_delay = 0.0  # seconds each send takes, to catch a bot in the middle of one
        self.send_delays: list[float] = []  # one-off delays for the next sends (time-outs)
        # Called with each message the bot sends: benchmarks answer like a quick user.
        self.on_send: Callable[[Sent], Awaitable[None]] | None = None
        # Called with each getUpdates answer as it leaves: benchmarks time each update from
        # the moment it reaches the bot.
        self.on_fetch: Callable[[list[dict[str, Any]]], None] | None = None
        self.base_url = ""
        self.files: dict[str, bytes] = {}  # file_path -> the bytes /file/bot<token>/ serves

    # -- server ------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params["_file"] = (value.filename, value.file.read())
                continue
            if not isinstance(value, str):
                continue
            if key in _JSON_FIELDS:
                params[key] = json.loads(value)
            elif key in _INT_FIELDS:
                params[key] = int(value)
            else:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        async with self.changed:
            self.calls.append((method, params))
            self.changed.notify_all()
        handler = getattr(self, f"_api_{method.lower()}", None)
        refusal = self._refusal(method)
        if refusal is not None:
            return refusal
        if method.startswith("send") and (self.send_delays or self.send_delay):
            await asyncio.sleep(self.send_delays.pop(0) if self.send_delays else self.send_delay)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        result = await handler(params)
        if isinstance(result, web.Response):  # the method's own refusal
            return result
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        """A file as Telegram serves it after getFile: the bytes at its file_path."""
        data = self.files.get(request.match_info["path"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _api_getfile(self, params: dict[str, Any]) -> Any:
        # The Bot API's File: file_path is relative; PTB prefixes its base_file_url.
        file_id = str(params["file_id"])
        path = f"photos/{file_id}.jpg"
        if path not in self.files:  # as Telegram answers a file id it does not know
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                status=400,
            )
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[path]),
            "file_path": path,
        }

    def _refusal(self, method: str) -> web.Response | None:
        scripted = self.failures.get(method)
        if scripted:
            status, retry_after = scripted.pop(0)
            self.refused += 1
            return _error(status, retry_after)
        if self.limit_per_second is not None and method.startswith("send"):
            now = time.monotonic()
            self._recent_sends = [t for t in self._recent_sends if now - t < 1.0]
            if len(self._recent_sends) >= self.limit_per_second:
                self.refused += 1
                return _error(429, 1)
            self._recent_sends.append(now)
        return None

    # -- Bot API methods ---------------------------------------------------------------

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset", 0)
        timeout = float(params.get("timeout", 0))
        deadline = time.monotonic() + timeout
        if self._polls_released:
            await asyncio.sleep(0.01)
            return []
        async with self.changed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self._polls_released and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
            answer = list(self.updates[:100])
            if answer:
                self.fetched = max(self.fetched, answer[-1]["update_id"])
                if self.on_fetch is not None:
                    self.on_fetch(answer)
            return answer

    def confirmed(self, update_id: int) -> bool:
        """Whether the bot told the server it received `update_id` (a later offset)."""
        return any(params.get("offset", 0) > update_id for params in self.calls_of("getUpdates"))

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private"},
            "from": BOT_USER,
            "text": sent.text,
        }
        if sent.buttons:
            message["reply_markup"] = {
                "inline_keyboard": [[{"text": t, "callback_data": d}] for t, d in sent.buttons]
            }
        return message

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        text = params["text"]
        assert len(text) <= 4096, "Telegram refuses messages over 4096 characters"
        markup = params.get("reply_markup") or {}
        buttons = [
            (button["text"], button["callback_data"])
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]
        for _, data in buttons:
            assert len(data.encode()) <= 64, "callback_data is limited to 64 bytes"
        async with self.changed:
            sent = Sent(params["chat_id"], self._next_message, text, buttons)
            self._next_message += 1
            self.sent.append(sent)
            self.messages[sent.message_id] = sent
            self.changed.notify_all()
        if self.on_send is not None:
            await self.on_send(sent)
        return self._message_json(sent)

    async def _record_file(self, params: dict[str, Any], kind: str) -> Any:
        name, data = params["_file"]
        async with self.changed:
            sent = Sent(params["chat_id"], self._next_message, "", [], kind, name, data)
            self._next_message += 1
            self.sent.append(sent)
            self.changed.notify_all()
        message = self._message_json(sent)
        if kind == "photo":
            message["photo"] = [
                {"file_id": f"p{sent.message_id}", "file_unique_id": "u", "width": 1, "height": 1}
            ]
        else:
            message["document"] = {"file_id": f"d{sent.message_id}", "file_unique_id": "u"}
        return message

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        return await self._record_file(params, "photo")

    async def _api_senddocument(self, params: dict[str, Any]) -> Any:
        return await self._record_file(params, "document")

    async def _api_editmessagetext(self, params: dict[str, Any]) -> Any:
        sent = self.messages[params["message_id"]]
        sent.text = params["text"]
        sent.buttons = []
        return self._message_json(sent)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        sent = self.messages[params["message_id"]]
        sent.buttons = []
        return self._message_json(sent)

    async def release_polls(self) -> None:
        """Answer long polls at once, so that a bot under test stops without waiting."""
        async with self.changed:
            self._polls_released = True
            self.changed.notify_all()

    def hold_polls(self) -> None:
        self._polls_released = False

    # -- acting as users ---------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> None:
        async with self.changed:
            self.updates.append(update)
            self.changed.notify_all()

    def _user(self, user_id: int, name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name}

    def _new_update_id(self) -> int:
        update_id = self._next_update
        self._next_update += 1
        return update_id

    async def _user_message(self, user_id: int, name: str, **content: Any) -> dict[str, Any]:
        update = {
            "update_id": self._new_update_id(),
            "message": {
                "message_id": 100_000 + self._next_update,
                "date": int(time.time()),
                "chat": {"id": user_id, "type": "private", "first_name": name},
                "from": self._user(user_id, name),
                **content,
            },
        }
        await self.push(update)
        return update

    async def user_says(self, user_id: int, text: str, name: str = "Kader") -> dict[str, Any]:
        if text.startswith("/"):
            command = {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            return await self._user_message(user_id, name, text=text, entities=[command])
        return await self._user_message(user_id, name, text=text)

    async def user_sends_photo(
        self,
        user_id: int,
        name: str = "Kader",
        data: bytes | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """A photo message: Telegram sends sizes of one picture, smallest first; with `data`
        the largest can be fetched by getFile and downloaded."""
        photo: list[dict[str, Any]] = [
            {"file_id": "x", "file_unique_id": "x", "width": 1, "height": 1}
        ]
        if data is not None:
            file_id = f"photo{len(self.files) + 1}"
            self.files[f"photos/{file_id}.jpg"] = data
            large = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 1280}
            photo.append({**large, "height": 960, "file_size": file_size or len(data)})
        return await self._user_message(user_id, name, photo=photo)

    async def user_presses(
        self, user_id: int, message: Sent, data: str, name: str = "Kader"
    ) -> dict[str, Any]:
        update = {
            "update_id": self._new_update_id(),
            "callback_query": {
                "id": f"cb{self._next_update}",
                "from": self._user(user_id, name),
                "chat_instance": "ci",
                "data": data,
                "message": self._message_json(message),
            },
        }
        await self.push(update)
        return update

    async def wait_for_sent(self, count: int) -> None:
        """Until `count` messages have been sent in all (10 s at most)."""
        async with asyncio.timeout(10), self.changed:
            await self.changed.wait_for(lambda: len(self.sent) >= count)

    async def wait_for_call(self, method: str, count: int) -> None:
        """Until the bot has called `method` `count` times in all (30 s at most)."""
        async with asyncio.timeout(30), self.changed:
            await self.changed.wait_for(lambda: len(self.calls_of(method)) >= count)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]


def _error(status: int, retry_after: int | None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": "scripted failure"}
    if retry_after is not None:
        body["description"] = f"Too Many Requests: retry after {retry_after}"
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)
