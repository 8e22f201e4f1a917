"""What a queued outbox row says, rendered when it is sent (so late corrections count)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import assert_never

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import recap, texts
from handlers.messages import Choice, Reply
from storage import (
    DistrictRecapPayload,
    MeetingReminderPayload,
    NoticePayload,
    OutboxPayload,
    OutboxStatus,
    RecapPayload,
    TextPayload,
)


class Template(StrEnum):
    """The approved WhatsApp templates that carry a message outside the 24-hour window."""

    RECAP = "recap"  # names the place and month; the recap follows the member's answer
    REMINDER = "reminder"  # carries the whole text


def template_for(payload: OutboxPayload) -> Template:
    match payload:
        case RecapPayload() | DistrictRecapPayload():
            return Template.RECAP
        case MeetingReminderPayload() | TextPayload() | NoticePayload():
            return Template.REMINDER
        case _:
            assert_never(payload)


def status_after_template(payload: OutboxPayload) -> OutboxStatus:
    """A recap's template only announces it, and a template carries no buttons: such a
    row waits for the member's answer (storage.note_inbound makes it due again) and is
    then sent whole; a reminder's template says it all."""
    match payload:
        case RecapPayload() | DistrictRecapPayload() | NoticePayload():
            return OutboxStatus.WAITING
        case MeetingReminderPayload() | TextPayload():
            return OutboxStatus.SENT
        case _:
            assert_never(payload)


async def template_variables(session: AsyncSession, payload: OutboxPayload) -> list[str]:
    """What fills an approved template: the place and month of a recap, or the text."""
    match payload:
        case DistrictRecapPayload():
            return [
                texts.DISTRICT_TOTAL.format(kecamatan=payload.kecamatan),
                texts.month_name(payload.period),
            ]
        case RecapPayload():
            [kampung] = await storage.kampung_views(session, kampung_id=payload.kampung_id)
            return [kampung.name, texts.month_name(payload.period)]
        case MeetingReminderPayload() | TextPayload():
            return [payload.text]
        case NoticePayload():
            return [f"{payload.text}\n\n{texts.NOTICE_ANSWER_FOR_BUTTONS}"]
        case _:
            assert_never(payload)


async def render(
    session: AsyncSession, payload: OutboxPayload, deadline_day: int, now: datetime | None = None
) -> list[Reply]:
    match payload:
        case MeetingReminderPayload() | TextPayload():
            return [Reply(payload.text)]
        case NoticePayload():
            return [Reply(payload.text, tuple(Choice(label, t) for label, t in payload.choices))]
        case RecapPayload():
            [kampung] = await storage.kampung_views(session, kampung_id=payload.kampung_id)
            built = await recap.kampung_recap(session, kampung, payload.period, deadline_day)
            return [await recap.kampung_reply(built)]
        case DistrictRecapPayload():
            found, total = await recap.district_recaps(
                session, payload.kecamatan, payload.period, deadline_day, now
            )
            return [await recap.district_reply(payload.kecamatan, found, total)]
        case _:
            assert_never(payload)
