"""The outbox: every scheduled or queued message, first as a row.

A row's kind says what it is and fixes the type of its payload (`payload_type`), stored
as JSON in the row and parsed again when the row is sent. The stored strings (kinds,
statuses, payload keys) are what older versions wrote: existing databases keep working.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, assert_never

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Outbox
from storage.prepared import Prepared


class OutboxKind(StrEnum):
    # The month's recap on recap day, as versions before the final recap queued it (rows
    # such a version left still send; the schedule now queues FINAL_RECAP).
    RECAP = "recap"
    RECAP_REQUEST = "recap_request"  # a recap the operator queued (`kaderbot recap --send`)
    DISTRICT_RECAP = "district_recap"  # the kecamatan's recap (before FINAL_DISTRICT_RECAP)
    REMINDER = "reminder"  # a unit's meeting is coming, to its kader
    POKJA_REMINDER = "pokja_reminder"  # the pokja's meeting is coming, to the ketua
    FOLLOWUP = "followup"  # last month's report is missing, to the unit's kader
    MISSING_LIST = "missing_list"  # which units have not reported, to the ketua
    TEXT = "text"  # any other text
    FINAL_RECAP = "final_recap"  # the month's final recap, to each ketua, after the deadline
    FINAL_DISTRICT_RECAP = "final_district_recap"  # the kecamatan's final recap, to each PLKB
    RECAP_STATUS = "recap_status"  # before the final recap: which units reported, to the ketua
    DISTRICT_STATUS = "district_status"  # the same per Kampung KB, to each PLKB
    NOTICE = "notice"  # a message a turn sent to another member, with standing buttons
    REVIEW_DIGEST = "review_digest"  # an hour's reports waiting for review, to the ketua


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to be sent at next_attempt_at
    WAITING = "waiting"  # a WhatsApp template went out; the rest waits for their answer
    SENT = "sent"
    DROPPED = "dropped"  # no longer to be sent (member erased, meeting passed)
    FAILED = "failed"


FINISHED = frozenset({OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.DROPPED})


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_json(self) -> str:
        """The JSON stored in the row: sorted keys, as older versions wrote it."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True)


class RecapPayload(_Payload):
    """A Kampung KB's recap of a month (kinds recap and recap_request)."""

    kampung_id: int
    period: str


class DistrictRecapPayload(_Payload):
    kecamatan: str
    period: str


class MeetingReminderPayload(_Payload):
    """A reminder's text, and the meeting day in its Kampung KB's zone (after which the
    reminder is stale)."""

    text: str
    meeting_date: date
    timezone: str


class TextPayload(_Payload):
    text: str


class NoticePayload(_Payload):
    """What one member's turn tells another (a report to review, a request to reopen a
    month), with buttons whose tokens stand on their own (handlers.conversation.tokens
    `encode_notice`): they work whatever the recipient's conversation is doing."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (label, token)


class FinalRecapPayload(_Payload):
    """A Kampung KB's final recap of a month, rendered when sent (kind final_recap)."""

    kampung_id: int
    period: str


class FinalDistrictRecapPayload(_Payload):
    kecamatan: str
    period: str


class StatusPayload(_Payload):
    """Which units of a Kampung KB reported for `period`, rendered when sent; the dates
    the status names are fixed when it is planned (kind recap_status)."""

    kampung_id: int
    period: str
    deadline: date
    final_recap: date


class DistrictStatusPayload(_Payload):
    kecamatan: str
    period: str
    deadline: date
    final_recap: date


class ReviewDigestPayload(_Payload):
    """The reports of a Kampung KB that came in [since, until) and still wait for review,
    listed when the row is sent (at `until`), so that what was decided meanwhile is left
    out."""

    kampung_id: int
    since: datetime
    until: datetime


OutboxPayload = (
    RecapPayload
    | DistrictRecapPayload
    | MeetingReminderPayload
    | TextPayload
    | FinalRecapPayload
    | FinalDistrictRecapPayload
    | StatusPayload
    | DistrictStatusPayload
    | NoticePayload
    | ReviewDigestPayload
)


def payload_type(kind: OutboxKind) -> type[OutboxPayload]:
    match kind:
        case OutboxKind.RECAP | OutboxKind.RECAP_REQUEST:
            return RecapPayload
        case OutboxKind.DISTRICT_RECAP:
            return DistrictRecapPayload
        case OutboxKind.REMINDER | OutboxKind.POKJA_REMINDER:
            return MeetingReminderPayload
        case OutboxKind.FOLLOWUP | OutboxKind.MISSING_LIST | OutboxKind.TEXT:
            return TextPayload
        case OutboxKind.FINAL_RECAP:
            return FinalRecapPayload
        case OutboxKind.FINAL_DISTRICT_RECAP:
            return FinalDistrictRecapPayload
        case OutboxKind.RECAP_STATUS:
            return StatusPayload
        case OutboxKind.DISTRICT_STATUS:
            return DistrictStatusPayload
        case OutboxKind.NOTICE:
            return NoticePayload
        case OutboxKind.REVIEW_DIGEST:
            return ReviewDigestPayload
        case _:
            assert_never(kind)


def parse_payload(kind: str, raw: str) -> OutboxPayload:
    """A stored row's payload; ValueError (pydantic's ValidationError is one) for an
    unknown kind or a payload that does not fit it."""
    return payload_type(OutboxKind(kind)).model_validate_json(raw)


_outbox = Outbox.__table__  # type: ignore[attr-defined]
# Queued by turns (a saved report's review to each ketua, a notice): one statement built
# once, run straight on the SQLite writing connection (storage/prepared.py).
_ENQUEUE = Prepared(
    {
        name: dialect.insert(_outbox)
        .values(
            kind=bindparam("kind"),
            member_id=bindparam("member_id"),
            period=bindparam("period"),
            payload=bindparam("payload"),
            status=OutboxStatus.PENDING.value,
            attempts=0,
            parts_sent=0,
            created_at=bindparam("now"),
            next_attempt_at=bindparam("due_at"),
        )
        .on_conflict_do_nothing()
        for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
    }
)


async def enqueue(
    session: AsyncSession,
    *,
    kind: OutboxKind,
    member_id: int,
    period: str,
    payload: OutboxPayload,
    now: datetime,
    due_at: datetime | None = None,
) -> bool:
    """Queue a message once per (kind, member, period), to be sent from `due_at` (now by
    default); False when it already was."""
    expected = payload_type(kind)
    if not isinstance(payload, expected):
        raise TypeError(f"a {kind} message takes a {expected.__name__}, not {payload!r}")
    params = {
        "kind": kind.value,
        "member_id": member_id,
        "period": period,
        "payload": payload.to_json(),
        "now": now,
        "due_at": now if due_at is None else due_at,
    }
    return bool(await _ENQUEUE.run_async(await session.connection(), params))


async def due_outbox(
    session: AsyncSession, now: datetime, limit: int, skip_ids: Iterable[int] = ()
) -> list[Outbox]:
    query = (
        select(Outbox)
        .where(Outbox.status == OutboxStatus.PENDING.value, col(Outbox.next_attempt_at) <= now)
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
    )
    skip = list(skip_ids)
    if skip:
        query = query.where(col(Outbox.id).not_in(skip))
    return list((await session.exec(query)).all())


async def due_outbox_of(session: AsyncSession, member_id: int, now: datetime) -> list[Outbox]:
    """One member's rows due now, oldest first (the terminal shows them between turns)."""
    query = (
        select(Outbox)
        .where(
            Outbox.member_id == member_id,
            Outbox.status == OutboxStatus.PENDING.value,
            col(Outbox.next_attempt_at) <= now,
        )
        .order_by(col(Outbox.id))
    )
    return list((await session.exec(query)).all())


async def get_outbox(session: AsyncSession, outbox_id: int) -> Outbox | None:
    return await session.get(Outbox, outbox_id)


async def update_outbox(session: AsyncSession, outbox_id: int, **changes: Any) -> None:
    """Change a row; a finished one keeps no content (a missing list names kader). A row
    gone meanwhile (its member was erased while it was being sent) is left gone."""
    row = await session.get(Outbox, outbox_id)
    if row is None:
        return
    for key, value in changes.items():
        setattr(row, key, value.value if isinstance(value, StrEnum) else value)
    if row.status in FINISHED:
        row.payload = "{}"
    session.add(row)
    await session.flush()


async def outbox_rows(session: AsyncSession) -> list[Outbox]:
    return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


async def outbox_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """How many rows the outbox holds, by (kind, status): what an operator watches."""
    query = select(Outbox.kind, Outbox.status, func.count()).group_by(
        col(Outbox.kind), col(Outbox.status)
    )
    return {(kind, status): int(n) for kind, status, n in (await session.exec(query)).all()}
