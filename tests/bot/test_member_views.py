"""A worker keeps members' views in memory, but never serves one after what it was made of
changed in another worker: a unit added, a role changed, a unit dropped from config."""

from __future__ import annotations

from itertools import count

from sqlalchemy import text

import storage
from bot.app import Runtime
from handlers.messages import Incoming
from handlers.service import ConversationService
from storage import Database
from tests.conftest import NOW, make_invite, register

_updates = count(1)


async def _status(worker: ConversationService, user_key: str) -> str:
    replies = await worker.handle(
        Incoming(
            channel="telegram", user_key=user_key, text="/status", update_id=str(next(_updates))
        )
    )
    return "\n".join(reply.text for reply in replies)


async def test_a_kept_view_is_not_served_after_another_worker_changed_it(
    runtime: Runtime,
) -> None:
    await register(runtime, "71", unit="posyandu-melati")
    other = Database(runtime.database.url)  # a second worker on the same database
    try:
        worker = runtime.service
        second = ConversationService(other, clock=lambda: NOW)
        first_status = await _status(worker, "71")  # the first worker keeps the view
        assert "Melati" in first_status and "Mawar" not in first_status

        code = await make_invite(runtime, unit="posyandu-mawar")
        await second.handle(
            Incoming(channel="telegram", user_key="71", text=f"/start {code}", update_id="start-2")
        )
        assert "Mawar" in await _status(worker, "71")

        async with other.write() as session:  # a role changed, however it was done
            connection = await session.connection()
            await connection.execute(text("UPDATE member SET role = 'ketua' WHERE user_key = '71'"))
        assert "BKB Ceria" in await _status(worker, "71")

        async with other.write() as session:  # a unit dropped from another worker's config
            connection = await session.connection()
            await connection.execute(
                text("UPDATE unit SET active = false WHERE slug = 'bkb-ceria'")
            )
        assert "BKB Ceria" not in await _status(worker, "71")
    finally:
        await other.dispose()


async def test_a_view_is_kept_while_nothing_changes(runtime: Runtime) -> None:
    await register(runtime, "72", unit="posyandu-melati")
    views = storage.MemberViews()

    async def view() -> storage.MemberView:
        async with runtime.database.write() as session:
            start = await storage.begin_turn(
                session, views, channel="telegram", user_key="72", update_id=None, now=NOW
            )
        assert start is not None and start.member is not None
        return start.member

    first = await view()
    assert await view() is first
    await make_invite(runtime, unit="posyandu-mawar")  # touches no unit: still the same view
    assert await view() is first
    async with runtime.database.write() as session:  # any change to a unit: built again
        connection = await session.connection()
        await connection.execute(text("UPDATE unit SET rw = '09' WHERE slug = 'posyandu-melati'"))
    again = await view()
    assert again is not first and again.units[0].rw == "09"
