"""What a queued outbox row says, rendered when it is sent (so late corrections count)."""

from __future__ import annotations

import json

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import recap, texts
from handlers.messages import Reply
from storage import repo

TEXT_KINDS = ("reminder", "pokja_reminder", "followup", "missing_list", "text")
RECAP_KINDS = ("recap", "recap_request", "district_recap")


def is_recap(kind: str) -> bool:
    return kind in RECAP_KINDS


async def template_variables(session: AsyncSession, kind: str, payload: str) -> list[str]:
    """What fills an approved template: the place and month of a recap, or the text."""
    data = json.loads(payload)
    if kind == "district_recap":
        return [
            texts.DISTRICT_TOTAL.format(kecamatan=data["kecamatan"]),
            texts.month_name(data["period"]),
        ]
    if is_recap(kind):
        [kampung] = await repo.kampung_views(session, kampung_id=int(data["kampung_id"]))
        return [kampung.name, texts.month_name(str(data["period"]))]
    return [str(data["text"])]


async def render(session: AsyncSession, kind: str, payload: str, deadline_day: int) -> list[Reply]:
    data = json.loads(payload)
    if kind in TEXT_KINDS:
        return [Reply(str(data["text"]))]
    if kind in ("recap", "recap_request"):
        [kampung] = await repo.kampung_views(session, kampung_id=int(data["kampung_id"]))
        built = await recap.kampung_recap(session, kampung, str(data["period"]), deadline_day)
        return [await recap.kampung_reply(built)]
    if kind == "district_recap":
        kecamatan = str(data["kecamatan"])
        found, total = await recap.district_recaps(
            session, kecamatan, str(data["period"]), deadline_day
        )
        return [await recap.district_reply(kecamatan, found, total)]
    raise ValueError(f"unknown outbox kind {kind!r}")
