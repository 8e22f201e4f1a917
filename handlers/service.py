"""One turn of a conversation: load what the engine needs, run it, store its effects.

The processed-update mark, the new conversation state and the report are written in one
transaction, so a crash leaves either the whole turn or none of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Histogram
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import conversation, recap, texts
from handlers.messages import PHOTO_NOT_AN_IMAGE, Incoming, Photo, Reply, image_type
from handlers.periods import period_of, shift_period
from storage import Database, MemberView, ReportView

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# How far back reports are loaded: the 40-day date window reaches two months back, and the
# change warning compares with the month before that.
_MONTHS_LOADED = 3
# A message older than this by its own (signed) timestamp is refused: WhatsApp retries a
# delivery for up to 7 days, and a replay of an older body must not count again.
MAX_MESSAGE_AGE = timedelta(days=7)
# Processed ids are kept a day longer, so that every message is either refused by its age
# or found by its id, even when the platform's clock runs ahead of ours.
PROCESSED_UPDATE_TTL = MAX_MESSAGE_AGE + timedelta(days=1)

# What an operator watches (GET /metrics, bot/metrics.py).
TURNS_HANDLED = Counter(
    "kaderbot_turns_handled", "Turns run to the end, their replies ready", ["channel"]
)
TURNS_FAILED = Counter(
    "kaderbot_turns_failed",
    "Turns that failed (the user is told to try again; nothing of the turn is stored)",
    ["channel"],
)
TURN_SECONDS = Histogram(
    "kaderbot_turn_seconds",
    "One turn, from the update handed to the service to its replies ready (committed)",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ConversationService:
    database: Database
    deadline_day: int = 3
    clock: Clock = system_clock
    # Members' views kept between turns, checked against the database on every turn.
    _views: storage.MemberViews = field(default_factory=storage.MemberViews, init=False, repr=False)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one turn; a redelivered update (same update id) gets no replies.

        A database failure raises; channels answer it with texts.SERVER_TROUBLE, and since
        the turn's transaction rolled back, nothing of it is stored.
        """
        started = time.perf_counter()
        try:
            try:
                replies = await self._handle(incoming)
            except storage.InviteTakenError:
                # Another turn used the code between our reading and writing it; this turn
                # was rolled back. Run it again: it now reads the code as used, and says so.
                replies = await self._handle(incoming)
        except Exception as error:
            TURNS_FAILED.labels(incoming.channel).inc()
            if isinstance(error, OperationalError) and storage.is_disk_full(error):
                log.critical("the database disk is full: turns cannot be saved")
            raise
        TURNS_HANDLED.labels(incoming.channel).inc()
        TURN_SECONDS.observe(time.perf_counter() - started)
        return replies

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        now = self.clock()
        if incoming.sent_at is not None and now - incoming.sent_at > MAX_MESSAGE_AGE:
            log.warning(
                "ignoring %s message %s sent at %s, older than %d days (a replay?)",
                incoming.channel,
                incoming.update_id,
                incoming.sent_at.isoformat(timespec="seconds"),
                MAX_MESSAGE_AGE.days,
            )
            return []
        async with self.database.write() as session:
            start = await storage.begin_turn(
                session,
                self._views,
                channel=incoming.channel,
                user_key=incoming.user_key,
                update_id=incoming.update_id,
                now=now,
            )
            if start is None:
                log.info("skipping redelivered update %s", incoming.update_id)
                return []
            view = start.member
            state = self._read_state(start.state, incoming)
            if incoming.photo is not None:
                sniffed = image_type(incoming.photo.data)
                incoming = (
                    replace(incoming, photo=None, other=PHOTO_NOT_AN_IMAGE)
                    if sniffed is None
                    else replace(incoming, photo=Photo(incoming.photo.data, sniffed))
                )
            said = conversation.understand(incoming)
            if incoming.photo is not None and view is not None and conversation.wants_photo(state):
                photo_id = await storage.store_photo(
                    session,
                    channel=incoming.channel,
                    user_key=incoming.user_key,
                    data=incoming.photo.data,
                    mime_type=incoming.photo.mime_type,
                    now=now,
                )
                said = replace(said, photo_id=photo_id)
            with_reports = conversation.needs_reports(state, said)
            ctx = await self._context(session, view, said.code, now, with_reports)
            outcome = conversation.step(ctx, state, said)
            await self._apply(session, outcome.effects, incoming, view, now)
            if outcome.state != state:
                await storage.save_state(
                    session,
                    incoming.channel,
                    incoming.user_key,
                    outcome.state.model_dump_json(),
                    now,
                )
        asked = [e for e in outcome.effects if isinstance(e, conversation.SendRecap)]
        shown = [
            await self._recap_or_apology(view, effect, now) for effect in asked if view is not None
        ]
        return [*shown, *outcome.replies]

    async def resume(self, channel: str, user_key: str) -> list[Reply]:
        """The question left open in the database, for a channel that starts afresh (the
        terminal shows no history); no reply when nothing is open. Stores nothing."""
        incoming = Incoming(channel=channel, user_key=user_key)
        async with self.database.read() as session:
            member = await storage.get_member(session, channel, user_key)
            if member is None:
                return []
            view = await storage.member_view(session, member)
            state = await self._load_state(session, incoming)
            ctx = await self._context(session, view, None, self.clock(), with_reports=True)
        prompt = conversation.pending_prompt(ctx, state)
        return [] if prompt is None else [prompt]

    async def _recap_or_apology(
        self, member: MemberView, effect: conversation.SendRecap, now: datetime
    ) -> Reply:
        """The recap, built after the turn's transaction so that rendering holds no write
        lock. The turn is stored by then: a failure here must not say it was lost."""
        try:
            return await self._recap_reply(member, effect, now)
        except Exception:
            log.exception(
                "the recap of %s for member %s could not be made", effect.period, member.id
            )
            return Reply(texts.RECAP_FAILED)

    async def _recap_reply(
        self, member: MemberView, effect: conversation.SendRecap, now: datetime
    ) -> Reply:
        today = now.astimezone(ZoneInfo(member.timezone)).date()
        async with self.database.read() as session:
            months = await recap.held(session, today)
            if effect.period not in months:
                return recap.out_of_range_reply(months)
            if effect.scope == "district":
                kecamatan = member.kecamatan or ""
                villages, total = await recap.district_recaps(
                    session, kecamatan, effect.period, self.deadline_day
                )
                return await recap.district_reply(kecamatan, villages, total)
            assert member.kampung_id is not None
            [kampung] = await storage.kampung_views(session, kampung_id=member.kampung_id)
            only = {u.id for u in member.units} if effect.scope == "units" else None
            built = await recap.kampung_recap(
                session, kampung, effect.period, self.deadline_day, only
            )
        return await recap.kampung_reply(built)

    async def healthy(self) -> bool:
        """The database answers (for load balancers' health checks)."""
        try:
            await self.database.ping()
        except Exception:
            log.warning("health check: the database does not answer", exc_info=True)
            return False
        return True

    async def keep_inbound(
        self, channel: str, updates: Sequence[storage.Inbound], handled: Sequence[str] = ()
    ) -> None:
        """Store fetched updates before the platform is told they arrived, and forget the
        ones handled since the last call (one transaction for both)."""
        async with self.database.write() as session:
            await storage.store_inbound(session, channel, updates, self.clock())
            await storage.forget_inbound(session, channel, handled)

    async def outbox_counts(self) -> dict[tuple[str, str], int]:
        """Outbox rows by (kind, status), for GET /metrics."""
        async with self.database.read() as session:
            return await storage.outbox_counts(session)

    async def stored_inbound(self, channel: str) -> list[str]:
        """Updates stored but not known to be handled: a crash came between."""
        async with self.database.read() as session:
            return await storage.stored_inbound(session, channel)

    async def prune(self) -> int:
        """Forget processed update ids, and the chats of non-members, older than the TTL."""
        older_than = self.clock() - PROCESSED_UPDATE_TTL
        async with self.database.write() as session:
            updates = await storage.prune_processed_updates(session, older_than)
            chats = await storage.prune_unregistered_conversations(session, older_than)
            named: set[int] = set()  # by an open draft: kept until it is saved or cancelled
            for channel, user_key in await storage.senders_of_unlinked_photos(session, older_than):
                state = await self._load_state(session, Incoming(channel, user_key))
                named |= conversation.draft_photo_ids(state)
            unlinked = await storage.prune_unlinked_photos(session, older_than, keep=named)
        return updates + chats + unlinked

    async def _context(
        self,
        session: AsyncSession,
        member: MemberView | None,
        code: str | None,
        now: datetime,
        with_reports: bool,
    ) -> conversation.Context:
        timezone = ZoneInfo(member.timezone if member else "Asia/Jakarta")
        today = now.astimezone(timezone).date()
        invite = await storage.find_invite(session, code) if code is not None else None
        reports: list[ReportView] = []
        if member is not None and with_reports:
            since = shift_period(period_of(today), -_MONTHS_LOADED)
            reports = await storage.recent_reports(session, [u.id for u in member.units], since)
        return conversation.Context(
            member=member,
            today=today,
            now=now,
            reports=tuple(reports),
            invite=invite,
            deadline_day=self.deadline_day,
        )

    @classmethod
    async def _load_state(cls, session: AsyncSession, incoming: Incoming) -> conversation.State:
        raw = await storage.load_state(session, incoming.channel, incoming.user_key)
        return cls._read_state(raw, incoming)

    @staticmethod
    def _read_state(raw: str | None, incoming: Incoming) -> conversation.State:
        if raw is None:
            return conversation.State()
        try:
            return conversation.State.model_validate_json(raw)
        except ValidationError:
            # A state written by an older version that no longer fits: start afresh rather
            # than leave the user stuck.
            log.warning("discarding unreadable conversation state of %s", incoming.user_key)
            return conversation.State()

    @staticmethod
    async def _apply(
        session: AsyncSession,
        effects: tuple[conversation.Effect, ...],
        incoming: Incoming,
        member: MemberView | None,
        now: datetime,
    ) -> None:
        for effect in effects:
            match effect:
                case conversation.RegisterMember():
                    await storage.register_member(
                        session,
                        invite_id=effect.invite_id,
                        channel=incoming.channel,
                        user_key=incoming.user_key,
                        name=effect.name,
                        now=now,
                    )
                case conversation.SetReminders():
                    await storage.set_reminders(session, effect.member_id, effect.on)
                case conversation.SendRecap():
                    continue  # read-only: built after the transaction
                case conversation.CodeGuessing():
                    log.warning(
                        "%s chat %s sent %d wrong invite codes within %d minutes; "
                        "it waits until %s",
                        incoming.channel,
                        incoming.user_key,
                        effect.wrong,
                        conversation.WRONG_CODE_WINDOW.seconds // 60,
                        effect.until.isoformat(timespec="minutes"),
                    )
                case conversation.AddUnit():
                    await storage.add_member_unit(
                        session, invite_id=effect.invite_id, member_id=effect.member_id, now=now
                    )
                case conversation.SaveReport():
                    assert member is not None
                    await storage.save_report(
                        session,
                        unit_id=effect.unit_id,
                        form=effect.form,
                        slot=effect.slot,
                        period=effect.period,
                        meeting_date=effect.meeting_date,
                        values=effect.values,
                        correction_of=effect.correction_of,
                        member_id=member.id,
                        now=now,
                    )
                    await storage.link_photos(
                        session,
                        report=(effect.unit_id, effect.form, effect.slot),
                        photo_ids=effect.photos,
                        channel=incoming.channel,
                        user_key=incoming.user_key,
                    )
                case _:
                    assert_never(effect)
