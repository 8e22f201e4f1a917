"""The Telegram channel: python-telegram-bot routes updates into the conversation service.

PTB's ConversationHandler is not used: state lives in the database (DESIGN section 8).
Nor is PTB's Updater: long polling goes through the inbox (bot/polling.py).
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import os
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.delivery import DeliveryError
from bot.metrics import add_metrics
from bot.polling import InboxPolling, RawUpdatesRequest, TelegramApp, handle_stored, seconds
from bot.webserver import add_health, serve
from handlers import texts
from handlers.conversation.tokens import Act, decode, is_notice
from handlers.messages import (
    PHOTO_MAX_BYTES,
    PHOTO_TOO_BIG,
    Choice,
    Incoming,
    Part,
    Photo,
    Reply,
    TextPart,
    reply_parts,
)
from handlers.service import ConversationService

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MESSAGE_LIMIT = 4000  # below Telegram's 4096, leaving room for the "» choice" echo
MAX_CONCURRENT_UPDATES = 64
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in order (PTB #3575)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


@functools.lru_cache(maxsize=4096)
def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """The buttons, built once for each set of choices (PTB's objects are immutable, so
    one markup serves every reply that offers the same buttons)."""
    if not choices:
        return None
    longest = max(len(choice.label) for choice in choices)
    per_row = 3 if longest <= 8 else 2 if longest <= 16 else 1
    buttons = [InlineKeyboardButton(c.label, callback_data=c.value) for c in choices]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)


async def send_part(app: TelegramApp, chat_id: int | str, part: Part) -> None:
    if isinstance(part, TextPart):
        markup = keyboard(part.choices)
        await app.bot.send_message(chat_id=chat_id, text=part.text, reply_markup=markup)
    elif part.kind == "image":
        await app.bot.send_photo(chat_id=chat_id, photo=InputFile(part.data, part.filename))
    else:
        await app.bot.send_document(chat_id=chat_id, document=InputFile(part.data, part.filename))


async def send_replies(app: TelegramApp, chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        for part in reply_parts(reply, MESSAGE_LIMIT):
            await send_part(app, chat_id, part)


def _display_name(update: Update) -> str:
    user = update.effective_user
    if user is None:
        return ""
    return user.full_name or user.username or str(user.id)


class TelegramChannel:
    def __init__(
        self,
        service: ConversationService,
        token: str,
        api_base_url: str,
        request_timeout: float | None = None,
    ) -> None:
        # Opt in to PTB's coming time-period type (RetryAfter.retry_after as timedelta); the
        # int form is deprecated since v22.2 and warns on every 429.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self.service = service
        # getUpdates answers, with each update's JSON as sent (for the inbox)
        self.raw = RawUpdatesRequest()
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_base_url}/bot{{token}}")
            .base_file_url(f"{api_base_url}/file/bot{{token}}")
            .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
            .updater(None)  # long polling is bot/polling.py's
            .get_updates_request(self.raw)
        )
        if request_timeout is not None:
            builder = builder.read_timeout(request_timeout).write_timeout(request_timeout)
        self.app: TelegramApp = builder.build()
        self._secret = ""
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._polling: InboxPolling | None = None
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        # New messages in private chats only: edits, service messages (a timer set, say),
        # member changes (a kader blocking the bot) and reactions are left alone. A text
        # is never a service message: the forty checks of StatusUpdate.ALL are skipped.
        not_service = filters.TEXT | ~filters.StatusUpdate.ALL
        messages = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & not_service
        self.app.add_handler(MessageHandler(messages, self._on_message))
        self.app.add_error_handler(self._on_error)

    async def _turn(self, incoming: Incoming, chat_id: int) -> None:
        try:
            replies = await self.service.handle(incoming)
        except Exception:
            log.exception("turn failed for update %s", incoming.update_id)
            replies = [Reply(texts.SERVER_TROUBLE)]
        await send_replies(self.app, chat_id, replies)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        incoming = Incoming(
            channel=CHANNEL,
            user_key=str(user.id),
            text=message.text or "",
            display_name=_display_name(update),
            update_id=str(update.update_id),
            other=None if message.text is not None else _content_kind(message),
        )
        if message.photo:
            photo, problem = await _download_photo(message)
            incoming = replace(incoming, photo=photo, other=problem)
        await self._turn(incoming, message.chat_id)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        try:
            await query.answer()
        except TelegramError as error:  # too old (handled after a restart): the turn still counts
            log.info("could not answer the button press: %s", error)
        message = query.message
        if isinstance(message, Message):
            await _echo_choice(message, query.data or "")
        chat_id = message.chat.id if message is not None else user.id
        incoming = Incoming(
            channel=CHANNEL,
            user_key=str(user.id),
            choice=query.data or "",
            display_name=_display_name(update),
            update_id=str(update.update_id),
        )
        await self._turn(incoming, chat_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling %s", update, exc_info=context.error)

    message_limit = MESSAGE_LIMIT

    async def deliver(self, user_key: str, part: Part) -> None:
        """Send one queued message; PTB's errors become retry-or-give-up decisions."""
        try:
            chat_id = int(user_key)
        except ValueError:
            raise DeliveryError(f"{user_key!r} is not a Telegram chat id", permanent=True) from None
        try:
            await send_part(self.app, chat_id, part)
        except RetryAfter as error:
            raise DeliveryError(str(error), retry_after=seconds(error.retry_after)) from error
        except (BadRequest, Forbidden) as error:  # blocked the bot, chat gone: no retry helps
            raise DeliveryError(str(error), permanent=True) from error
        except NetworkError as error:  # 5xx, time-outs, connection errors
            raise DeliveryError(str(error)) from error

    async def start(self) -> None:
        """Connect, register the command menu and start long polling."""
        await self._begin()
        # Pending updates are never dropped: what kader sent while the bot was down counts.
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        self._polling = InboxPolling(self.app, self.service, CHANNEL, ALLOWED_UPDATES, self.raw)
        await self._polling.start()

    async def start_webhook(self, url: str, listen: str, secret: str) -> None:
        """Serve `url`'s path on `listen` and tell Telegram to deliver there.

        Only requests carrying the secret token header are accepted (PTB's own Starlette
        example does not check it); an update is handled before the 200, so one that
        failed is delivered again rather than lost. GET /healthz answers load balancers,
        GET /metrics Prometheus.
        """
        await self._begin()
        await handle_stored(self.app, self.service, CHANNEL)  # left by an earlier polling run
        self._secret = secret
        path = urlsplit(url).path or "/"
        app = web.Application()
        app.router.add_post(path, self._on_webhook)
        add_health(app, self.service)
        add_metrics(app, self.service)
        self._runner, self.port = await serve(app, listen)
        await self.app.bot.set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info("Telegram webhook on %s (port %d)", listen, self.port)

    async def _begin(self) -> None:
        await self.app.initialize()
        commands = [BotCommand(name, description) for name, description in texts.COMMANDS]
        await self.app.bot.set_my_commands(commands)
        await self.app.start()

    async def _on_webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret.encode()):
            return web.Response(status=403, text="forbidden")
        update = self._read_update(await request.read())
        if update is None:
            return web.Response(status=400, text="not an update")
        await self.app.update_processor.process_update(update, self.app.process_update(update))
        return web.Response(text="ok")

    def _read_update(self, body: bytes) -> Update | None:
        """The update in a webhook body; None (and one log line) for anything else."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not a JSON object with an integer update_id")
            # PTB's de_json raises whatever a wrong shape happens to cause.
            update: Update | None = Update.de_json(data, self.app.bot)
        except Exception as error:
            log.warning("Telegram webhook body refused: %s: %.200s", type(error).__name__, error)
            return None
        return update

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._polling is not None:
            await self._polling.stop()
            self._polling = None
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


_CONTENT_KINDS = (
    "photo",
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
)


async def _download_photo(message: Message) -> tuple[Photo | None, str | None]:
    """The largest size of a photo message, or why not: too big (refused before the
    download where Telegram says the size), or not fetched."""
    largest = message.photo[-1]
    if largest.file_size is not None and largest.file_size > PHOTO_MAX_BYTES:
        return None, PHOTO_TOO_BIG
    try:
        file = await largest.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        log.warning("could not fetch a photo: %s", error)
        return None, "photo"
    if len(data) > PHOTO_MAX_BYTES:
        return None, PHOTO_TOO_BIG
    return Photo(data, "image/jpeg"), None  # Telegram re-encodes every photo as JPEG


def _content_kind(message: Message) -> str:
    """What a message without text carries (for the log): "photo", "sticker"..."""
    return next((kind for kind in _CONTENT_KINDS if getattr(message, kind, None)), "other")


async def _echo_choice(message: Message, data: str) -> None:
    """Replace the buttons by the chosen label, so the chat shows what was answered.

    Periksa in a review digest is no answer to the digest: its other buttons (Setujui
    semua, the other reports) stay."""
    token = decode(data) if is_notice(data) else None
    if token is not None and token.act is Act.SHOW:
        return
    label = next(
        (
            button.text
            for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
            for button in row
            if button.callback_data == data
        ),
        None,
    )
    try:
        if label is not None and message.text:
            await message.edit_text(f"{message.text}\n\n» {label}")
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramError as error:
        log.info("could not edit the message with the pressed button: %s", error)
