"""A fake WhatsApp Cloud (Graph) API on 127.0.0.1: records messages and media uploads."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "wa-test-token"


@dataclass
class WaSent:
    to: str
    type: str
    body: dict[str, Any]
    media: tuple[str, bytes] | None = None

    @property
    def text(self) -> str:
        if self.type == "text":
            return str(self.body["text"]["body"])
        if self.type == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        return ""

    @property
    def options(self) -> dict[str, str]:
        """Button or list-row title -> id."""
        if self.type != "interactive":
            return {}
        action = self.body["interactive"]["action"]
        if "buttons" in action:
            return {b["reply"]["title"]: b["reply"]["id"] for b in action["buttons"]}
        rows = [row for section in action["sections"] for row in section["rows"]]
        return {row.get("description", row["title"]): row["id"] for row in rows}


def _template_refusal(template: dict[str, Any]) -> web.Response | None:
    """As the Cloud API answers a template parameter with a line break, a tab or more than
    four spaces in a row (error 132018), or longer than a body parameter may be."""
    for component in template.get("components", ()):
        for parameter in component.get("parameters", ()):
            text = parameter.get("text", "")
            if "\n" in text or "\t" in text or "     " in text or len(text) > 1024:
                error = {"code": 132018, "message": "There was an issue with the parameters"}
                return web.json_response({"error": error}, status=400)
    return None


@dataclass
class FakeGraphApi:
    sent: list[WaSent] = field(default_factory=list)
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)  # HTTP statuses to answer first
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    base_url: str = ""
    # Media users sent: id -> (mime type, bytes), looked up and downloaded as the Graph API.
    incoming_media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    media_sizes: dict[str, int] = field(default_factory=dict)  # a file_size to claim instead
    downloads: int = 0
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v23.0/{phone}/messages", self._messages)
        app.router.add_post("/v23.0/{phone}/media", self._media)
        app.router.add_get("/v23.0/{media_id}", self._media_url)
        app.router.add_get("/download/{media_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/v23.0"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _refuse(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": {"message": "bad token"}}, status=401)
        if self.failures:
            return web.json_response(
                {"error": {"message": "scripted"}}, status=self.failures.pop(0)
            )
        return None

    async def _messages(self, request: web.Request) -> web.Response:
        refusal = self._refuse(request)
        if refusal is not None:
            return refusal
        body = await request.json()
        assert body["messaging_product"] == "whatsapp"
        kind = body["type"]
        media = None
        if kind in ("image", "document"):
            media = self.uploads[body[kind]["id"]]
        if kind == "interactive":
            interactive = body["interactive"]
            assert len(interactive["body"]["text"]) <= 1024
            action = interactive["action"]
            if interactive["type"] == "button":
                assert len(action["buttons"]) <= 3
                assert all(len(b["reply"]["title"]) <= 20 for b in action["buttons"])
            else:
                rows = [r for s in action["sections"] for r in s["rows"]]
                assert len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)
        if kind == "text":
            assert len(body["text"]["body"]) <= 4096
        if kind == "template":
            refusal = _template_refusal(body["template"])
            if refusal is not None:
                return refusal
        async with self.changed:
            self.sent.append(WaSent(body["to"], kind, body, media))
            self.changed.notify_all()
        wamid = f"wamid.out{len(self.sent)}"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            }
        )

    async def _media(self, request: web.Request) -> web.Response:
        refusal = self._refuse(request)
        if refusal is not None:
            return refusal
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField) and form["messaging_product"] == "whatsapp"
        media_id = f"media-{len(self.uploads) + 1}"
        self.uploads[media_id] = (upload.filename, upload.file.read())
        return web.json_response({"id": media_id})

    def user_media(
        self, data: bytes, mime_type: str = "image/jpeg", size: int | None = None
    ) -> str:
        """Hold a photo a user sent; its media id goes in the webhook's image message."""
        media_id = f"in-{len(self.incoming_media) + 1}"
        self.incoming_media[media_id] = (mime_type, data)
        if size is not None:
            self.media_sizes[media_id] = size
        return media_id

    async def _media_url(self, request: web.Request) -> web.Response:
        """GET /{media-id}: where to download it, with its type and size."""
        refusal = self._refuse(request)
        if refusal is not None:
            return refusal
        media_id = request.match_info["media_id"]
        if media_id not in self.incoming_media:
            return web.json_response({"error": {"message": "no such media"}}, status=404)
        mime_type, data = self.incoming_media[media_id]
        root = self.base_url.removesuffix("/v23.0")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{root}/download/{media_id}",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": self.media_sizes.get(media_id, len(data)),
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        """The media URL: the bytes, for the same bearer token."""
        refusal = self._refuse(request)
        if refusal is not None:
            return refusal
        mime_type, data = self.incoming_media[request.match_info["media_id"]]
        self.downloads += 1
        return web.Response(body=data, content_type=mime_type)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(10), self.changed:
            await self.changed.wait_for(lambda: len(self.sent) >= count)
