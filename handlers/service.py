"""One turn of a conversation: load what the engine needs, run it, store its effects.

The processed-update mark, the new conversation state and the report are written in one
transaction, so a crash leaves either the whole turn or none of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Histogram
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import conversation, recap, review_queue, texts, upstream
from handlers import outbox as rendering
from handlers.messages import PHOTO_NOT_AN_IMAGE, Attachment, Incoming, Photo, Reply, image_type
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
# How often a turn PostgreSQL rolled back for a concurrent one is run again.
_RERUNS_AFTER_LOSING = 3

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
    unlock_days: int = 2  # how long the ketua's Buka reopens a month for a kader
    clock: Clock = system_clock
    # Called after a turn that queued messages to others commits: the outbox sender
    # drains now rather than at its next poll (bot.app wires it to the leader's sender).
    on_queued: Callable[[], None] = lambda: None
    # The Telegram bot's username, for the links of invites made in the chat (/undang):
    # set by the shell from config or from Telegram; None: the link says /start CODE.
    bot_username: str | None = None
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
            except (storage.InviteTakenError, storage.MemberChangedError):
                # Another turn used the code (or removed the member) between our reading
                # and writing it; this turn was rolled back. Run it again: it now reads
                # the code as used (the member as gone), and says so.
                replies = await self._handle(incoming)
            except DBAPIError as error:
                if not storage.is_lost_to_another(error):
                    raise
                # PostgreSQL rolled this turn back for a concurrent one (a deadlock): run
                # it again after the other, as above.
                replies = await self._again_after_losing(incoming)
        except Exception as error:
            TURNS_FAILED.labels(incoming.channel).inc()
            if isinstance(error, OperationalError) and storage.is_disk_full(error):
                log.critical("the database disk is full: turns cannot be saved")
            raise
        TURNS_HANDLED.labels(incoming.channel).inc()
        TURN_SECONDS.observe(time.perf_counter() - started)
        return replies

    async def _again_after_losing(self, incoming: Incoming) -> list[Reply]:
        """Run a turn again that PostgreSQL rolled back for a concurrent one. The rerun
        can lose once more while the winner still holds its locks (its first statements
        take the chat's rows before the winner's erasure reaches them), so a few tries."""
        for _ in range(_RERUNS_AFTER_LOSING - 1):
            try:
                return await self._handle(incoming)
            except DBAPIError as error:
                if not storage.is_lost_to_another(error):
                    raise
        return await self._handle(incoming)

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
            with_members = conversation.needs_members(state, said)
            ctx = await self._context(session, view, said.code, now, with_reports, with_members)
            if view is not None and conversation.needs_months(state):
                ctx = replace(ctx, months=await recap.held(session, ctx.today))
            reviews = await review_queue.reviews_for(session, view, said.notice, state.returning)
            ctx = replace(ctx, reviews=reviews) if reviews else ctx
            ctx = await self._unlock_context(session, ctx, state, said, with_reports)
            outcome = conversation.step(ctx, state, said)
            queued = await self._apply(session, outcome.effects, incoming, view, now)
            if outcome.state != state:
                await storage.save_state(
                    session,
                    incoming.channel,
                    incoming.user_key,
                    outcome.state.model_dump_json(),
                    now,
                )
        if queued:
            self.on_queued()
        asked = [e for e in outcome.effects if isinstance(e, conversation.SendRecap)]
        shown = [
            await self._recap_or_apology(view, effect, now) for effect in asked if view is not None
        ]
        files = [e for e in outcome.effects if isinstance(e, conversation.SendLayout)]
        shown += [await self._layout_or_apology(view, effect) for effect in files if view]
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
            ctx = await self._context(
                session, view, None, self.clock(), with_reports=True, with_members=True
            )
            if conversation.needs_months(state):
                ctx = replace(ctx, months=await recap.held(session, ctx.today))
            ctx = await self._unlock_context(session, ctx, state, None, True)
        prompt = conversation.pending_prompt(ctx, state)
        return [] if prompt is None else [prompt]

    async def queued_for(self, channel: str, user_key: str) -> list[tuple[int, list[Reply]]]:
        """The member's queued messages due now, rendered, with their outbox ids: the
        terminal, which has no outbox sender, shows them between turns."""
        now = self.clock()
        shown: list[tuple[int, list[Reply]]] = []
        async with self.database.read() as session:
            member = await storage.get_member(session, channel, user_key)
            if member is None or member.id is None:
                return []
            rows = await storage.due_outbox_of(session, member.id, now)
            unrenderable: list[tuple[int, str]] = []
            for row in rows:
                assert row.id is not None
                try:
                    payload = storage.parse_payload(row.kind, row.payload)
                    replies = await rendering.render(session, payload, self.deadline_day, now)
                except SQLAlchemyError:
                    raise
                except Exception as error:  # as the outbox sender: this row fails alone
                    unrenderable.append((row.id, f"the payload cannot be rendered: {error!r}"))
                    continue
                shown.append((row.id, replies))
        for outbox_id, reason in unrenderable:
            log.warning("outbox %s: %s", outbox_id, reason)
            async with self.database.write() as session:
                await storage.update_outbox(
                    session, outbox_id, status=storage.OutboxStatus.FAILED, last_error=reason
                )
        return shown

    async def mark_shown(self, outbox_id: int) -> None:
        async with self.database.write() as session:
            await storage.update_outbox(
                session, outbox_id, status=storage.OutboxStatus.SENT, sent_at=self.clock()
            )

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
                    session, kecamatan, effect.period, self.deadline_day, now
                )
                return await recap.district_reply(kecamatan, villages, total)
            assert member.kampung_id is not None
            [kampung] = await storage.kampung_views(session, kampung_id=member.kampung_id)
            only = {u.id for u in member.units} if effect.scope == "units" else None
            built = await recap.kampung_recap(
                session, kampung, effect.period, self.deadline_day, only
            )
        return await recap.kampung_reply(built)

    async def _layout_or_apology(
        self, member: MemberView, effect: conversation.SendLayout
    ) -> Reply:
        """The month in an upstream layout, as a file; like the recap, built after the
        turn's transaction (no write lock held), and an apology if it cannot be made."""
        try:
            return await self._layout_reply(member, effect)
        except Exception:
            log.exception(
                "the %s layout of %s for member %s could not be made",
                effect.layout,
                effect.period,
                member.id,
            )
            return Reply(texts.UNDUH_FAILED)

    async def _layout_reply(self, member: MemberView, effect: conversation.SendLayout) -> Reply:
        async with self.database.read() as session:
            if effect.scope == "district":
                kecamatan = member.kecamatan or ""
                kampungs = await storage.kampung_views(session, kecamatan=kecamatan)
                place = texts.DISTRICT_TOTAL.format(kecamatan=kecamatan)
                slug = kecamatan.lower().replace(" ", "-")
            else:
                assert member.kampung_id is not None
                kampungs = await storage.kampung_views(session, kampung_id=member.kampung_id)
                place, slug = kampungs[0].name, kampungs[0].slug
            months = await upstream.load_months(session, kampungs, effect.period, self.deadline_day)
        data = await asyncio.to_thread(upstream.layout_xlsx, effect.layout, months)
        name = upstream.file_name(effect.layout, slug, effect.period)
        text = texts.UNDUH_READY.format(
            layout=texts.UNDUH_LAYOUTS[effect.layout],
            month=texts.month_name(effect.period),
            place=place,
        )
        return Reply(text, files=(Attachment(name, data, "document"),))

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
        with_members: bool = False,
    ) -> conversation.Context:
        timezone = ZoneInfo(member.timezone if member else "Asia/Jakarta")
        today = now.astimezone(timezone).date()
        invite = await storage.find_invite(session, code) if code is not None else None
        reports: list[ReportView] = []
        if member is not None and with_reports:
            since = shift_period(period_of(today), -_MONTHS_LOADED)
            reports = await storage.recent_reports(session, [u.id for u in member.units], since)
        manages = member is not None and member.role in ("ketua", "plkb")
        members = []
        if member is not None and manages and with_members:
            members = await storage.managed_members(session, member.id)
        return conversation.Context(
            member=member,
            today=today,
            now=now,
            reports=tuple(reports),
            invite=invite,
            deadline_day=self.deadline_day,
            members=tuple(members),
            fresh_code=storage.new_code() if manages else "",
            bot_username=self.bot_username,
            unlock_days=self.unlock_days,
        )

    @staticmethod
    async def _unlock_context(
        session: AsyncSession,
        ctx: conversation.Context,
        state: conversation.State,
        said: conversation.Said | None,
        with_reports: bool,
    ) -> conversation.Context:
        """What the deadline lock reads, in the turns that read it: a kader's open grants
        (where a date is answered or a report saved), the ketua to ask (LOCKED), the
        kader a Buka or Tolak names."""
        member = ctx.member
        if member is None:
            return ctx
        reading = with_reports or state.step in (
            conversation.Step.SUMMARY,
            conversation.Step.LOCKED,
        )
        if member.role == "kader" and reading:
            grants = await storage.open_grants(session, member.id, ctx.now)
            ctx = replace(ctx, grants=tuple(grants))
        if state.step is conversation.Step.LOCKED and member.kampung_id is not None:
            ketua = await storage.recipients(session, role="ketua", kampung_ids=[member.kampung_id])
            ctx = replace(ctx, ketua_ids=tuple(k.id for k in ketua))
        subject = conversation.unlock_subject(said.notice) if said and said.notice else None
        if subject is not None:
            requester = await storage.member_view_by_id(session, subject[2])
            opened = await storage.open_grants(session, subject[2], ctx.now)
            ctx = replace(ctx, requester=requester, requester_grants=tuple(opened))
        return ctx

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
    ) -> bool:
        """Store the effects; True when messages to others were queued."""
        queued = False
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
                case conversation.SendRecap() | conversation.SendLayout():
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
                case conversation.Review():
                    await storage.decide(
                        session,
                        report_id=effect.report_id,
                        revision=effect.revision,
                        member_id=effect.member_id,
                        approved=effect.approved,
                        reason=effect.reason,
                        now=now,
                    )
                case conversation.Notify():
                    queued = True
                    await storage.enqueue(
                        session,
                        kind=storage.OutboxKind.NOTICE,
                        member_id=effect.member_id,
                        period=effect.key,
                        payload=storage.NoticePayload(text=effect.text, choices=effect.choices),
                        now=now,
                    )
                case conversation.GrantUnlock():
                    await storage.grant_unlock(
                        session,
                        unit_id=effect.unit_id,
                        period=effect.period,
                        member_id=effect.member_id,
                        granted_by=effect.granted_by,
                        expires_at=effect.expires_at,
                        now=now,
                    )
                case conversation.AddUnit():
                    await storage.add_member_unit(
                        session, invite_id=effect.invite_id, member_id=effect.member_id, now=now
                    )
                case conversation.SaveReport():
                    assert member is not None
                    saved = await storage.save_report(
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
                    kampung_id = next(
                        (u.kampung_id for u in member.units if u.id == effect.unit_id), None
                    )
                    if kampung_id is None:  # not in the view (it only offers its own units)
                        kampung_id = await storage.kampung_of_unit(session, effect.unit_id)
                    queued = (
                        await review_queue.queue_review(session, saved, now, kampung_id) or queued
                    )
                case conversation.CreateInvite():
                    await storage.create_invite(
                        session,
                        code=effect.code,
                        role=effect.role,
                        kampung_id=effect.kampung_id,
                        unit_id=effect.unit_id,
                        now=now,
                        created_by=member.id if member else None,
                    )
                case conversation.RemoveMember():
                    assert member is not None
                    # Read afresh: still a member this ketua (PLKB) may remove, not themself.
                    if not await storage.may_remove(session, member.id, effect.member_id):
                        raise storage.MemberChangedError(effect.member_id)
                    await storage.erase_member(session, effect.member_id, now)
                case _:
                    assert_never(effect)
        return queued
