"""The WhatsApp channel: a Cloud API webhook in, Graph API messages out.

In: GET answers the verification handshake; POST must carry `X-Hub-Signature-256`, the
HMAC-SHA256 of the raw body with the app secret (anything else gets 403 and changes
nothing). bot/whatsapp_inbound.py reads the body, each message on its own; each message's
`wamid` is its update id, so a redelivery is handled once, whatever the message type.
Out: choices become reply buttons (up to 3), a list (up to 10) or numbered text; charts
and spreadsheets are uploaded as media. Outside the 24-hour window the outbox sends an
approved template instead (see `deliver_template`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
from aiohttp import web

from bot import whatsapp_inbound as inbound
from bot.config import WhatsAppSettings
from bot.delivery import DeliveryError
from bot.metrics import add_metrics
from bot.webserver import add_health, serve
from handlers import texts
from handlers.messages import (
    PHOTO_MAX_BYTES,
    PHOTO_TOO_BIG,
    Attachment,
    Choice,
    Incoming,
    Part,
    Photo,
    Reply,
    TextPart,
    reply_parts,
    split_text,
)
from handlers.service import ConversationService

log = logging.getLogger(__name__)

CHANNEL = inbound.CHANNEL
MESSAGE_LIMIT = 4000  # Cloud API text bodies take 4096 characters
BUTTON_BODY_LIMIT = 1024
MAX_BUTTONS, BUTTON_TITLE = 3, 20
MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION = 10, 24, 72
SESSION_WINDOW = timedelta(hours=24)
_MIME = {
    "image": "image/png",
    "document": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def template_parameter(text: str) -> str:
    """A text as one template parameter: the Cloud API refuses a line break, a tab or more
    than four spaces in a row there (error 132018), so lines become " · "-separated parts
    (a list's bullets dropped) and runs of spaces one space."""
    lines = [line.strip().removeprefix("• ") for line in text.splitlines()]
    flat = " · ".join(line for line in lines if line)
    return _short(re.sub(r"\s+", " ", flat), 1000)


def interactive_payload(text: str, choices: tuple[Choice, ...]) -> dict[str, Any] | None:
    """Reply buttons or a list for up to 10 choices; None when they must be numbered text."""
    if not choices or len(choices) > MAX_ROWS:
        return None
    if len(choices) <= MAX_BUTTONS and all(len(c.label) <= BUTTON_TITLE for c in choices):
        return {
            "type": "button",
            "body": {"text": text},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": c.value, "title": c.label}} for c in choices
                ]
            },
        }
    rows = []
    for choice in choices:
        row = {"id": choice.value, "title": _short(choice.label, ROW_TITLE)}
        if len(choice.label) > ROW_TITLE:
            row["description"] = _short(choice.label, ROW_DESCRIPTION)
        rows.append(row)
    return {
        "type": "list",
        "body": {"text": text},
        "action": {
            "button": texts.WA_LIST_BUTTON,
            "sections": [{"title": texts.WA_LIST_TITLE, "rows": rows}],
        },
    }


def numbered(text: str, part: TextPart) -> str:
    """Choices as text: numbers where only a choice fits, words where typing also works."""
    if part.free_text:
        return text + "\n" + texts.CONSOLE_CHOICES + " · ".join(c.label for c in part.choices)
    lines = [f"{n}. {c.label}" for n, c in enumerate(part.choices, 1)]
    return "\n".join([text, *lines, texts.WA_TYPE_NUMBER])


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


class WhatsAppChannel:
    message_limit = MESSAGE_LIMIT
    session_window = SESSION_WINDOW

    def __init__(self, service: ConversationService, settings: WhatsAppSettings) -> None:
        self.service = service
        self.settings = settings
        self.token, self.app_secret, self.verify_token = settings.secrets()
        self.http = httpx.AsyncClient(
            base_url=f"{settings.api_base_url}/{settings.phone_number_id}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=httpx.Timeout(30.0, connect=10.0),
        )
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    # -- webhook -------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_get(self.settings.webhook_path, self._verify)
        app.router.add_post(self.settings.webhook_path, self._receive)
        add_health(app, self.service)
        add_metrics(app, self.service)
        return app

    async def _verify(self, request: web.Request) -> web.Response:
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self.verify_token):
            return web.Response(text=query.get("hub.challenge", ""))
        return web.Response(status=403, text="forbidden")

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_ok(self.app_secret, body, request.headers.get("X-Hub-Signature-256")):
            log.warning("WhatsApp webhook with a missing or wrong signature refused")
            return web.Response(status=403, text="forbidden")
        try:
            messages = inbound.parse(body)
        except inbound.MalformedWebhook as error:
            log.warning("WhatsApp webhook body refused: %s", error)
            return web.Response(status=400, text="malformed")
        # Each turn is stored before the 200, so an acknowledged message is never lost; the
        # replies go out afterwards. One failing turn does not stop the others of the POST;
        # it answers 500, and on the platform's retry the handled ones are skipped by id.
        failed = False
        for incoming in messages:
            try:
                if incoming.media_id is not None:
                    incoming = await self._with_photo(incoming)
                replies = await self.service.handle(incoming)
            except Exception:
                log.exception("WhatsApp message %s not handled; it comes again", incoming.update_id)
                failed = True
                continue
            if replies:
                task = asyncio.create_task(self._send_all(incoming.user_key, replies))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        if failed:
            return web.Response(status=500, text="retry")
        return web.Response(text="ok")

    async def _with_photo(self, incoming: Incoming) -> Incoming:
        """The image the message names, fetched from the Graph API: its media id gives a
        URL (and the size, refused above the limit before the download), fetched with the
        same bearer token. A failure leaves the message a photo not fetched."""
        media_id, api = incoming.media_id, self.settings.api_base_url
        fetched = replace(incoming, media_id=None)
        try:
            found = await self.http.get(f"{api}/{media_id}")
            found.raise_for_status()
            media = found.json()
            if int(media.get("file_size") or 0) > PHOTO_MAX_BYTES:
                return replace(fetched, other=PHOTO_TOO_BIG)
            download = await self.http.get(str(media["url"]))
            download.raise_for_status()
        except (httpx.HTTPError, KeyError, ValueError) as error:
            log.warning("WhatsApp media %s not fetched: %s", media_id, error)
            return fetched
        if len(download.content) > PHOTO_MAX_BYTES:
            return replace(fetched, other=PHOTO_TOO_BIG)
        mime = str(media.get("mime_type") or "image/jpeg").split(";")[0]
        return replace(fetched, other=None, photo=Photo(download.content, mime))

    async def _send_all(self, wa_id: str, replies: list[Reply]) -> None:
        try:
            for reply in replies:
                for part in reply_parts(reply, MESSAGE_LIMIT):
                    await self.deliver(wa_id, part)
        except DeliveryError as error:
            log.warning("reply to %s not delivered: %s", wa_id, error)

    # -- sending -------------------------------------------------------------------------

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.http.post(path, **kwargs)
        except httpx.HTTPError as error:
            raise DeliveryError(f"network: {error}") from error
        if response.status_code == 429:
            raise DeliveryError(
                "rate limited", retry_after=float(response.headers.get("Retry-After", 5))
            )
        if response.status_code >= 500:
            raise DeliveryError(f"server error {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryError(
                f"refused {response.status_code}: {response.text[:300]}", permanent=True
            )
        result: dict[str, Any] = response.json()
        return result

    async def _send(self, wa_id: str, message: dict[str, Any]) -> None:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id}
        await self._post("/messages", json={**body, **message})

    async def deliver(self, user_key: str, part: Part) -> None:
        if isinstance(part, Attachment):
            await self._send_media(user_key, part)
            return
        interactive = interactive_payload(part.text, part.choices)
        if interactive is None:
            text = numbered(part.text, part) if part.choices else part.text
            # The numbered choices make the text longer than the part: a long member list
            # goes out in pieces, its last numbers and "ketik nomornya" included.
            for piece in split_text(text, MESSAGE_LIMIT):
                await self._send(user_key, {"type": "text", "text": {"body": piece}})
            return
        if len(part.text) > BUTTON_BODY_LIMIT:  # the long text first, the buttons after it
            await self._send(user_key, {"type": "text", "text": {"body": part.text}})
            interactive["body"] = {"text": texts.WA_CHOOSE}
        await self._send(user_key, {"type": "interactive", "interactive": interactive})

    async def _send_media(self, user_key: str, file: Attachment) -> None:
        mime = _MIME[file.kind]
        uploaded = await self._post(
            "/media",
            data={"messaging_product": "whatsapp", "type": mime},
            files={"file": (file.filename, file.data, mime)},
        )
        media_id = uploaded["id"]
        if file.kind == "image":
            await self._send(user_key, {"type": "image", "image": {"id": media_id}})
        else:
            document = {"id": media_id, "filename": file.filename}
            await self._send(user_key, {"type": "document", "document": document})

    async def deliver_template(self, user_key: str, kind: str, variables: list[str]) -> None:
        """An approved template, the only thing allowed outside the 24-hour window."""
        templates = self.settings.templates
        name = templates.recap if kind == "recap" else templates.reminder
        parameters = [{"type": "text", "text": template_parameter(v)} for v in variables]
        template = {
            "name": name,
            "language": {"code": templates.language},
            "components": [{"type": "body", "parameters": parameters}],
        }
        await self._send(user_key, {"type": "template", "template": template})

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._runner, self.port = await serve(self.web_app(), self.settings.listen)
        log.info("WhatsApp webhook on %s (port %d)", self.settings.listen, self.port)

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
        await self.http.aclose()
