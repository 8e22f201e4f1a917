"""The outbox sender: drains queued rows within the platform's limits, exactly once.

A row is marked sent only after the platform accepted its last part; each accepted part is
recorded (`parts_sent`), so a crash between two parts of a recap resends only the rest.
Failures: the platform's 429 wait is honoured (and pauses every send), 5xx and network
errors back off exponentially, a permanent refusal (the user blocked the bot) ends the row.
Each row stands alone: one that cannot be sent at all (a bad address, a payload that no
longer renders) is marked failed with its reason, and the pass goes on with the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

import storage
from bot.delivery import Deliverer, DeliveryError, TemplateDeliverer
from handlers import outbox as rendering
from handlers.messages import Part, Reply, reply_parts
from handlers.reminders import reminder_is_stale
from storage import Database, MeetingReminderPayload, OutboxStatus
from storage.models import Outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 15 * 60.0
IDLE_POLL_SECONDS = 1.0


class Pacer:
    """Reserves send slots: at most `per_second` overall and one per `per_chat` seconds per chat.

    Slots are handed out under a lock, so concurrent workers never exceed either limit.
    """

    def __init__(self, per_second: float, per_chat: float) -> None:
        self.interval = 1.0 / per_second
        self.per_chat = per_chat
        self._next_any = 0.0
        self._next_chat: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat: str) -> None:
        async with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_any, self._next_chat.get(chat, 0.0))
            self._next_any = slot + self.interval
            self._next_chat[chat] = slot + self.per_chat
            if len(self._next_chat) > 10_000:  # forget chats whose slot has long passed
                self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """After a 429: no send at all before `seconds` from now."""
        self._next_any = max(self._next_any, time.monotonic() + seconds)


def _outside_window(deliverer: Deliverer, recipient: storage.Recipient, now: datetime) -> bool:
    if not isinstance(deliverer, TemplateDeliverer):
        return False
    last = recipient.last_inbound_at
    return last is None or now - last > deliverer.session_window


def backoff(attempts: int, first: float = FIRST_BACKOFF_SECONDS) -> float:
    return float(min(first * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


@dataclass
class OutboxSender:
    database: Database
    deliverers: Mapping[str, Deliverer]
    clock: Callable[[], datetime]
    deadline_day: int = 3
    per_second: float = 29.0  # Telegram allows about 30/s; a margin keeps clear of 429s
    per_chat: float = 1.0
    workers: int = 32
    first_backoff: float = FIRST_BACKOFF_SECONDS
    pacer: Pacer = field(init=False)
    _in_flight: set[int] = field(default_factory=set, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.per_second, self.per_chat)

    def notify(self) -> None:
        """New rows were queued: drain now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            except Exception:
                log.exception("outbox drain failed; trying again shortly")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=IDLE_POLL_SECONDS, return_when="FIRST_COMPLETED")
            for waiter in waiters:
                waiter.cancel()

    async def drain_once(self) -> int:
        """Send every row due now; returns how many rows were handled."""
        async with self.database.read() as session:
            rows = await storage.due_outbox(
                session, self.clock(), self.workers * 4, self._in_flight
            )
        if not rows:
            return 0
        limit = asyncio.Semaphore(self.workers)

        async def one(row: Outbox) -> None:
            assert row.id is not None
            async with limit:
                try:
                    await self._send_row_alone(row)
                finally:
                    self._in_flight.discard(row.id)

        self._in_flight.update(row.id for row in rows if row.id is not None)
        await asyncio.gather(*(one(row) for row in rows))
        return len(rows)

    async def _update(self, row_id: int, **changes: object) -> None:
        async with self.database.write() as session:
            await storage.update_outbox(session, row_id, **changes)

    async def _send_row_alone(self, row: Outbox) -> None:
        """Send one row; whatever goes wrong with it stays with it.

        A database error leaves the row as it is, to be tried again (the database is
        everybody's trouble); anything else means the row cannot be sent and fails.
        """
        assert row.id is not None
        try:
            await self._send_row(row)
        except SQLAlchemyError:
            log.exception("outbox %s: database error; the row is tried again", row.id)
        except Exception as error:
            log.exception("outbox %s cannot be sent", row.id)
            try:
                await self._failed(row, DeliveryError(f"cannot be sent: {error!r}", permanent=True))
            except SQLAlchemyError:
                log.exception("outbox %s: could not record the failure", row.id)

    async def _send_row(self, row: Outbox) -> None:
        assert row.id is not None
        now = self.clock()
        dropped: str | None = None
        unrenderable: str | None = None
        # Outside the window: the template, what fills it, and the row's status after it.
        templated: tuple[rendering.Template, list[str], OutboxStatus] | None = None
        replies: list[Reply] = []
        async with self.database.read() as session:
            recipient = await storage.get_recipient(session, row.member_id)
            deliverer = self.deliverers.get(recipient.channel) if recipient else None
            if recipient is None:
                dropped = "member erased"
            elif deliverer is None:
                dropped = "no channel serves it"
            else:
                try:
                    payload = storage.parse_payload(row.kind, row.payload)
                    if isinstance(payload, MeetingReminderPayload) and reminder_is_stale(
                        payload, now
                    ):
                        dropped = "meeting has passed"
                    elif _outside_window(deliverer, recipient, now):
                        templated = (
                            rendering.template_for(payload),
                            await rendering.template_variables(session, payload),
                            rendering.status_after_template(payload),
                        )
                    else:
                        replies = await rendering.render(session, payload, self.deadline_day, now)
                except SQLAlchemyError:
                    raise
                except Exception as error:  # a payload older code wrote, a kampung since gone
                    unrenderable = f"the payload cannot be rendered: {error!r}"
        if unrenderable is not None:
            log.warning("outbox %s: %s", row.id, unrenderable)
            await self._failed(row, DeliveryError(unrenderable, permanent=True))
            return
        if dropped is not None:
            await self._update(row.id, status=OutboxStatus.DROPPED, last_error=dropped)
            return
        assert recipient is not None and deliverer is not None
        if templated is not None:
            assert isinstance(deliverer, TemplateDeliverer)
            await self._send_template(row, deliverer, recipient.user_key, *templated)
            return
        parts: list[Part] = [
            part for reply in replies for part in reply_parts(reply, deliverer.message_limit)
        ]
        for index in range(row.parts_sent, len(parts)):
            await self.pacer.wait(recipient.user_key)
            try:
                await deliverer.deliver(recipient.user_key, parts[index])
            except DeliveryError as error:
                await self._failed(row, error)
                return
            if index + 1 < len(parts):
                await self._update(row.id, parts_sent=index + 1)
        path = "template+session" if row.path == "template" else "session"
        await self._update(
            row.id,
            status=OutboxStatus.SENT,
            parts_sent=len(parts),
            sent_at=self.clock(),
            last_error=None,
            path=path,
        )

    async def _send_template(
        self,
        row: Outbox,
        deliverer: TemplateDeliverer,
        user_key: str,
        template: rendering.Template,
        variables: list[str],
        status: OutboxStatus,
    ) -> None:
        """Outside the window: the template (see rendering.status_after_template)."""
        assert row.id is not None
        await self.pacer.wait(user_key)
        try:
            await deliverer.deliver_template(user_key, template, variables)
        except DeliveryError as error:
            await self._failed(row, error)
            return
        await self._update(row.id, status=status, path="template", sent_at=self.clock())

    async def _failed(self, row: Outbox, error: DeliveryError) -> None:
        assert row.id is not None
        attempts = row.attempts + 1
        log.warning("outbox %s attempt %d failed: %s", row.id, attempts, error)
        # What was sent before the failure stays sent: read the progress back from the row.
        async with self.database.read() as session:
            fresh = await storage.get_outbox(session, row.id)
            parts_sent = fresh.parts_sent if fresh else row.parts_sent
        if error.permanent or attempts >= MAX_ATTEMPTS:
            await self._update(
                row.id,
                status=OutboxStatus.FAILED,
                attempts=attempts,
                parts_sent=parts_sent,
                last_error=str(error)[:500],
            )
            return
        if error.retry_after is not None:
            self.pacer.pause(error.retry_after)
            wait = error.retry_after
        else:
            wait = backoff(attempts, self.first_backoff)
        await self._update(
            row.id,
            attempts=attempts,
            parts_sent=parts_sent,
            next_attempt_at=self.clock() + timedelta(seconds=wait),
            last_error=str(error)[:500],
        )
