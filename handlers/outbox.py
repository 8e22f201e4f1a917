"""What a queued outbox row says, rendered when it is sent (so late corrections count)."""

from __future__ import annotations

import json

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import recaps
from handlers.messages import Reply
from storage import repo

TEXT_KINDS = ("reminder", "pokja_reminder", "followup", "missing_list", "text")


async def render(session: AsyncSession, kind: str, payload: str, deadline_day: int) -> list[Reply]:
    data = json.loads(payload)
    if kind in TEXT_KINDS:
        return [Reply(str(data["text"]))]
    if kind in ("recap", "recap_request"):
        [kampung] = await repo.kampung_views(session, kampung_id=int(data["kampung_id"]))
        built = await recaps.kampung_recap(session, kampung, str(data["period"]), deadline_day)
        return [await recaps.kampung_reply(built)]
    if kind == "district_recap":
        kecamatan = str(data["kecamatan"])
        found, total = await recaps.district_recaps(
            session, kecamatan, str(data["period"]), deadline_day
        )
        return [await recaps.district_reply(kecamatan, found, total)]
    raise ValueError(f"unknown outbox kind {kind!r}")
