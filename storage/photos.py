"""Photos sent with reports: stored at the photo question, linked when the report is
saved, pruned when never linked, erased with their sender unless a report holds them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Photo, Report


async def store_photo(
    session: AsyncSession,
    *,
    channel: str,
    user_key: str,
    data: bytes,
    mime_type: str,
    now: datetime,
) -> int:
    photo = Photo(
        channel=channel, user_key=user_key, data=data, mime_type=mime_type, created_at=now
    )
    session.add(photo)
    await session.flush()
    assert photo.id is not None
    return photo.id


async def link_photos(
    session: AsyncSession,
    *,
    report: tuple[int, str, str],
    photo_ids: Sequence[int],
    channel: str,
    user_key: str,
) -> None:
    """Give the photos to the report of (unit id, form, slot), just saved. Only the
    sender's own photos are linked: a draft names ids, and an id is no permission."""
    if not photo_ids:
        return
    unit_id, form, slot = report
    found = select(Report.id).where(
        Report.unit_id == unit_id, Report.form == form, Report.slot == slot
    )
    report_id = (await session.exec(found)).one()
    await session.exec(
        update(Photo)
        .where(
            col(Photo.id).in_(photo_ids),
            col(Photo.channel) == channel,
            col(Photo.user_key) == user_key,
        )
        .values(report_id=report_id)
    )


async def senders_of_unlinked_photos(
    session: AsyncSession, older_than: datetime
) -> list[tuple[str, str]]:
    """(channel, user key) of whoever sent photos no report holds, older than `older_than`."""
    query = (
        select(Photo.channel, Photo.user_key)
        .where(col(Photo.report_id).is_(None), col(Photo.created_at) < older_than)
        .distinct()
    )
    return [(channel, user_key) for channel, user_key in (await session.exec(query)).all()]


async def prune_unlinked_photos(
    session: AsyncSession, older_than: datetime, keep: Collection[int] = ()
) -> int:
    """Delete photos no report holds, older than `older_than`, but those in `keep` (named
    by an open draft)."""
    statement = delete(Photo).where(
        col(Photo.report_id).is_(None),
        col(Photo.created_at) < older_than,
        col(Photo.id).not_in(list(keep)),
    )
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def erase_sender(
    session: AsyncSession, channel: str, user_key: str, removed_key: str
) -> None:
    """The sender's photos no report holds are deleted; a saved report's photos stay with
    the report and name nobody."""
    sent = (col(Photo.channel) == channel, col(Photo.user_key) == user_key)
    await session.exec(delete(Photo).where(*sent, col(Photo.report_id).is_(None)))
    await session.exec(update(Photo).where(*sent).values(user_key=removed_key))


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    id: int
    report_id: int
    data: bytes
    mime_type: str


async def photo_types(session: AsyncSession, photo_ids: Sequence[int]) -> dict[int, str]:
    """The mime type of each stored photo of `photo_ids`."""
    if not photo_ids:
        return {}
    query = select(Photo.id, Photo.mime_type).where(col(Photo.id).in_(photo_ids))
    return {photo_id: mime for photo_id, mime in (await session.exec(query)).all() if photo_id}


async def photo_data(session: AsyncSession, photo_id: int) -> bytes:
    photo = await session.get(Photo, photo_id)
    return photo.data if photo is not None else b""


async def report_photos(session: AsyncSession, report_ids: Sequence[int]) -> list[StoredPhoto]:
    """The photos of the reports, in the order they were sent."""
    if not report_ids:
        return []
    query = select(Photo).where(col(Photo.report_id).in_(report_ids)).order_by(col(Photo.id))
    return [
        StoredPhoto(p.id or 0, p.report_id or 0, p.data, p.mime_type)
        for p in (await session.exec(query)).all()
    ]
