"""Telegram long polling that loses nothing: the inbox comes before the confirmation.

PTB's Updater confirms fetched updates to Telegram (the offset of the next getUpdates)
while they are only in memory, so a kill -9 between fetching and handling lost them. Here
each fetched batch is stored in the inbox first, and only then is the next getUpdates
sent; what the inbox still holds at start (a crash came between) is handled first.
A turn takes its update out of the inbox in its own transaction; updates handled without
a turn (a photo, a turn that failed and said so) leave with the next batch's transaction.
An update handled twice counts once: its turn claims its processed-update id.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import HTTPXRequest

from handlers.service import ConversationService
from storage import Inbound

log = logging.getLogger(__name__)

POLL_TIMEOUT = timedelta(seconds=10)
MAX_BACKOFF_SECONDS = 30.0

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def seconds(wait: timedelta | float) -> float:
    """PTB gives waits as timedelta (PTB_TIMEDELTA) or as a number."""
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


async def _stored(app: TelegramApp, service: ConversationService, channel: str) -> list[Update]:
    """The updates a crash left in the inbox, in order of arrival."""
    stored = await service.stored_inbound(channel)
    found = [Update.de_json(json.loads(raw), app.bot) for raw in stored]
    if found:
        log.info("handling %d updates left in the inbox by the last run", len(found))
    return [update for update in found if update is not None]


async def handle_stored(app: TelegramApp, service: ConversationService, channel: str) -> None:
    """Without polling (webhook mode): handle what the inbox holds, then forget it."""
    handled = []
    for update in await _stored(app, service, channel):
        await app.update_processor.process_update(update, app.process_update(update))
        handled.append(str(update.update_id))
    if handled:
        await service.keep_inbound(channel, [], handled)


class RawUpdatesRequest(HTTPXRequest):
    """The getUpdates connection (PTB's own kind, one connection), which also keeps each
    update of the last answer as the JSON text Telegram sent: the inbox stores that, not
    a re-serialisation of PTB's objects (Update.to_dict, about 45 us an update)."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.last_updates: list[tuple[int, str]] = []  # (update id, JSON) of the last answer

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        data = super().parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        self.last_updates = (
            [
                (u["update_id"], json.dumps(u))
                for u in result
                if isinstance(u, dict) and isinstance(u.get("update_id"), int)
            ]
            if isinstance(result, list)
            else []
        )
        return data


class InboxPolling:
    def __init__(
        self,
        app: TelegramApp,
        service: ConversationService,
        channel: str,
        allowed_updates: Sequence[str],
        raw: RawUpdatesRequest | None = None,
    ) -> None:
        self.app, self.service, self.channel = app, service, channel
        self._raw = raw
        self.allowed_updates = list(allowed_updates)
        self._offset = 0  # the next getUpdates confirms every update below it
        self._handled: list[str] = []  # handled update ids still in the inbox
        self._handling: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Handle what the inbox holds (before, per chat, anything newer), and poll."""
        for update in await _stored(self.app, self.service, self.channel):
            self._dispatch(update)
        self._task = asyncio.create_task(self._poll(), name="telegram long polling")

    async def stop(self) -> None:
        """Stop fetching, let the turns under way finish, forget and confirm them."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        await asyncio.gather(*self._handling, return_exceptions=True)
        try:
            await self._receive([])
            if self._offset:  # so that the next start does not fetch them again
                await self.app.bot.get_updates(offset=self._offset, timeout=0)
        except TelegramError as error:
            log.info("could not confirm the last updates to Telegram: %s", error)

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self.app.bot.get_updates(
                    offset=self._offset,
                    timeout=POLL_TIMEOUT,
                    allowed_updates=self.allowed_updates,
                )
            except RetryAfter as error:
                await asyncio.sleep(seconds(error.retry_after))
                continue
            except TimedOut:
                continue
            except TelegramError as error:  # network trouble, 5xx, another poller (409)
                failures += 1
                wait = min(2.0**failures, MAX_BACKOFF_SECONDS)
                log.warning("polling Telegram failed (%s); trying again in %.0f s", error, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            await self._receive(updates)

    async def _receive(self, updates: Sequence[Update]) -> None:
        """Store the batch (and forget handled updates); the next poll then confirms it.

        A database that cannot store it cannot run its turns either: each is then handled
        at once, and its turn tells the kader to try again, so none goes unanswered.
        """
        handled, self._handled = self._handled, []
        if updates or handled:
            texts = self._raw_texts(updates)
            inbound = [
                Inbound(
                    str(update.update_id),
                    str(update.effective_user.id) if update.effective_user else None,
                    text,
                )
                for update, text in zip(updates, texts, strict=True)
            ]
            try:
                await self.service.keep_inbound(self.channel, inbound, handled)
            except Exception:
                log.exception("could not store %d updates; handling them unstored", len(updates))
                self._handled = handled + self._handled
        for update in updates:
            self._dispatch(update)
        if updates:
            self._offset = updates[-1].update_id + 1

    def _raw_texts(self, updates: Sequence[Update]) -> list[str]:
        """Each update's JSON as Telegram sent it when the last answer holds exactly these
        updates; else as PTB serialises them."""
        raw = self._raw.last_updates if self._raw is not None else []
        if [update_id for update_id, _ in raw] == [u.update_id for u in updates]:
            return [text for _, text in raw]
        return [json.dumps(update.to_dict()) for update in updates]

    def _dispatch(self, update: Update) -> None:
        """Concurrently across chats, in order within one (the app's update processor)."""
        processing = self.app.update_processor.process_update(update, self._handle(update))
        task = asyncio.create_task(processing)
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _handle(self, update: Update) -> None:
        await self.app.process_update(update)  # handler errors end in the error handler
        self._handled.append(str(update.update_id))
