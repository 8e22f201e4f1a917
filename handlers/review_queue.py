"""The shell's side of the ketua's review: after a report is saved, queue its review
message to every ketua of the Kampung KB (the first of an hour at once, the rest as one
digest at the end of the hour); load the reports a review button is about; render a
digest when it is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers.conversation import review
from handlers.conversation.state import Returning
from handlers.conversation.tokens import Act, Token, encode_notice, revision_token
from handlers.messages import Choice, Reply
from storage import MemberView, ReviewDigestPayload, ReviewView, SavedReport


def _hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


async def queue_review(
    session: AsyncSession, saved: SavedReport, now: datetime, kampung_id: int
) -> bool:
    """Queue the review of a saved revision to each ketua of the report's Kampung KB;
    True when anything was queued.

    Per ketua and hour, the first report goes at once (NOTICE keyed by the hour); the
    later ones wait for the digest row of that hour, due at its end, which lists what
    still waits then (so many reports at once arrive as one message, not a flood)."""
    if saved.kept_approval:
        return False  # an unchanged correction of an approved report: nothing to review
    start = _hour(now)
    key = start.strftime("%Y-%m-%dT%H")
    period = f"review@{key}"
    # The ketua first, each with whether the hour's notice went already: the review is
    # read and rendered only when one of them will get it (the later reports of an hour
    # wait for the digest, which renders them when it is sent).
    ketua_list = await storage.ketua_told(session, kampung_id, period)
    if not ketua_list:
        return False
    payload = None
    if not all(told for _, told in ketua_list):
        [view] = await storage.review_views(session, [saved.report_id])
        text, buttons = review.review_message(view)
        payload = storage.NoticePayload(text=text, choices=_encoded(buttons))
    for ketua_id, told in ketua_list:
        first = False
        if not told:
            assert payload is not None
            first = await storage.enqueue(
                session,
                kind=storage.OutboxKind.NOTICE,
                member_id=ketua_id,
                period=period,
                payload=payload,
                now=now,
            )
        if not first:
            end = start + timedelta(hours=1)
            await storage.enqueue(
                session,
                kind=storage.OutboxKind.REVIEW_DIGEST,
                member_id=ketua_id,
                period=f"digest@{key}",
                payload=ReviewDigestPayload(kampung_id=kampung_id, since=start, until=end),
                now=now,
                due_at=end,
            )
    return True


async def reviews_for(
    session: AsyncSession,
    member: MemberView | None,
    notice: Token | None,
    returning: Returning | None,
) -> tuple[ReviewView, ...]:
    """The reports a review button (or the reason being asked) is about; () otherwise."""
    if member is None:
        return ()
    if returning is not None and notice is None:
        notice = revision_token(Act.RETURN, returning.report_id, returning.revision)
    if notice is None:
        return ()
    if notice.act in (Act.APPROVE, Act.RETURN, Act.SHOW):
        report_id, _ = notice.revision
        return tuple(await storage.review_views(session, [report_id]))
    if notice.act is Act.APPROVE_ALL and member.kampung_id is not None:
        window = review.digest_window(notice)
        if window is not None:
            found = await storage.waiting_reviews(session, member.kampung_id, *window)
            return tuple(found)
    return ()


async def digest_replies(session: AsyncSession, payload: ReviewDigestPayload) -> list[Reply]:
    """The digest, as it stands when sent: nothing when all was decided meanwhile."""
    views = await storage.waiting_reviews(session, payload.kampung_id, payload.since, payload.until)
    if not views:
        return []
    text, buttons = review.digest_message(views, payload.since)
    return [Reply(text, tuple(Choice(label, data) for label, data in _encoded(buttons)))]


def _encoded(buttons: tuple[tuple[str, Token], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((label, encode_notice(token)) for label, token in buttons)
