"""What a queued outbox row says, rendered when it is sent (so late corrections count)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import assert_never

from sqlmodel.ext.asyncio.session import AsyncSession

import storage
from handlers import recap, texts
from handlers.messages import Choice, Reply
from handlers.review_queue import digest_replies
from storage import (
    DistrictRecapPayload,
    DistrictStatusPayload,
    FinalDistrictRecapPayload,
    FinalRecapPayload,
    MeetingReminderPayload,
    NoticePayload,
    OutboxPayload,
    OutboxStatus,
    RecapPayload,
    ReviewDigestPayload,
    StatusPayload,
    TextPayload,
)


class Template(StrEnum):
    """The approved WhatsApp templates that carry a message outside the 24-hour window."""

    RECAP = "recap"  # names the place and month; the recap follows the member's answer
    REMINDER = "reminder"  # carries the whole text (a status too: it is short)


def template_for(payload: OutboxPayload) -> Template:
    match payload:
        case (
            RecapPayload()
            | DistrictRecapPayload()
            | FinalRecapPayload()
            | FinalDistrictRecapPayload()
        ):
            return Template.RECAP
        case (
            MeetingReminderPayload()
            | TextPayload()
            | StatusPayload()
            | DistrictStatusPayload()
            | NoticePayload()
            | ReviewDigestPayload()
        ):
            return Template.REMINDER
        case _:
            assert_never(payload)


def status_after_template(payload: OutboxPayload) -> OutboxStatus:
    """A recap's template only announces it, and a template carries no buttons: such a
    row waits for the member's answer (storage.note_inbound makes it due again) and is
    then sent whole; a reminder's template says it all."""
    match payload:
        case (
            RecapPayload()
            | DistrictRecapPayload()
            | FinalRecapPayload()
            | FinalDistrictRecapPayload()
            | NoticePayload()
            | ReviewDigestPayload()
        ):
            return OutboxStatus.WAITING
        case MeetingReminderPayload() | TextPayload() | StatusPayload() | DistrictStatusPayload():
            return OutboxStatus.SENT
        case _:
            assert_never(payload)


async def template_variables(session: AsyncSession, payload: OutboxPayload) -> list[str]:
    """What fills an approved template: the place and month of a recap, or the text."""
    match payload:
        case DistrictRecapPayload() | FinalDistrictRecapPayload():
            return [
                texts.DISTRICT_TOTAL.format(kecamatan=payload.kecamatan),
                texts.month_name(payload.period),
            ]
        case RecapPayload() | FinalRecapPayload():
            [kampung] = await storage.kampung_views(session, kampung_id=payload.kampung_id)
            return [kampung.name, texts.month_name(payload.period)]
        case MeetingReminderPayload() | TextPayload():
            return [payload.text]
        case NoticePayload():
            # The hint first: a long notice (a KB correction) is cut to fit the template,
            # and what is cut must not be how to get its buttons.
            return [f"{texts.NOTICE_ANSWER_FOR_BUTTONS}\n\n{payload.text}"]
        case ReviewDigestPayload():
            return [f"{texts.REVIEW_DIGEST_TEMPLATE}\n\n{texts.NOTICE_ANSWER_FOR_BUTTONS}"]
        case StatusPayload() | DistrictStatusPayload():
            return [await _status_text(session, payload)]
        case _:
            assert_never(payload)


async def _status_text(
    session: AsyncSession, payload: StatusPayload | DistrictStatusPayload
) -> str:
    match payload:
        case StatusPayload():
            status = await recap.kampung_status(session, payload.kampung_id, payload.period)
            return recap.status_text(status, payload.period, payload.deadline, payload.final_recap)
        case DistrictStatusPayload():
            statuses = await recap.district_status(session, payload.kecamatan, payload.period)
            return recap.district_status_text(
                payload.kecamatan, payload.period, statuses, payload.deadline, payload.final_recap
            )
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
        case ReviewDigestPayload():
            return await digest_replies(session, payload)
        case RecapPayload() | FinalRecapPayload():
            [kampung] = await storage.kampung_views(session, kampung_id=payload.kampung_id)
            built = await recap.kampung_recap(session, kampung, payload.period, deadline_day)
            final = isinstance(payload, FinalRecapPayload)
            return [await recap.kampung_reply(built, final)]
        case DistrictRecapPayload() | FinalDistrictRecapPayload():
            found, total = await recap.district_recaps(
                session, payload.kecamatan, payload.period, deadline_day, now
            )
            final = isinstance(payload, FinalDistrictRecapPayload)
            return [await recap.district_reply(payload.kecamatan, found, total, final)]
        case StatusPayload() | DistrictStatusPayload():
            return [Reply(await _status_text(session, payload))]
        case _:
            assert_never(payload)
