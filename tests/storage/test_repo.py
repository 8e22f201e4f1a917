"""Queries against a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

import storage
from bot.app import Runtime, open_runtime
from bot.config import load_config
from storage.models import Invite, Unit
from tests.conftest import NOW, make_invite, write_config


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    async with (
        open_runtime(load_config(write_config(tmp_path))) as runtime,
        runtime.database.read() as session,
    ):
        journal = (await session.exec(text("PRAGMA journal_mode"))).one()  # type: ignore[call-overload]
        keys = (await session.exec(text("PRAGMA foreign_keys"))).one()  # type: ignore[call-overload]
    assert journal[0] == "wal" and keys[0] == 1


async def test_organisation_sync_keeps_removed_units_inactive(config_path: Path) -> None:
    async with open_runtime(load_config(config_path)) as runtime:
        async with runtime.database.read() as session:
            units = (await session.exec(select(Unit))).all()
        # 9 listed in config, and each of the 2 Kampung KB's own pokja unit (kegiatan)
        assert len(units) == 11 and all(u.active for u in units)
        pokja = sorted(u.name for u in units if u.kind == "pokja")
        assert pokja == ["Pokja Kampung KB Mekarsari", "Pokja Kampung KB Sukamaju"]
    shorter = config_path.read_text().replace('slug = "bkl-bahagia"', 'slug = "bkl-sejahtera"')
    config_path.write_text(shorter)
    async with (
        open_runtime(load_config(config_path)) as runtime,
        runtime.database.read() as session,
    ):
        units = (await session.exec(select(Unit))).all()
    by_slug = {u.slug: u for u in units}
    assert not by_slug["bkl-bahagia"].active and by_slug["bkl-sejahtera"].active
    assert len(units) == 12 and by_slug["pokja"].active


async def test_invites_are_random_single_use_and_expire(runtime: Runtime) -> None:
    codes = {await make_invite(runtime) for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 8 and set(c) <= set(storage.INVITE_ALPHABET) for c in codes)
    code = codes.pop()
    async with runtime.database.write() as session:
        view = await storage.find_invite(session, code)
        assert view is not None and not view.used
        assert view.expires_at == NOW + timedelta(days=7)
        member = await storage.register_member(
            session, invite_id=view.id, channel="t", user_key="1", name="Sari", now=NOW
        )
        used = await storage.find_invite(session, code)
        invite = (await session.exec(select(Invite).where(Invite.code == code))).one()
    assert used is not None and used.used and invite.used_by == member.id
    assert await _find(runtime, "NOSUCHCD") is None


async def _find(runtime: Runtime, code: str) -> object:
    async with runtime.database.read() as session:
        return await storage.find_invite(session, code)


async def test_unknown_names_in_invites_are_refused(runtime: Runtime) -> None:
    async with runtime.database.write() as session:
        for kampung, unit in (("nowhere", None), ("sukamaju", "nounit")):
            try:
                await storage.create_invites(
                    session,
                    role="kader",
                    kampung_slug=kampung,
                    unit_slug=unit,
                    kecamatan=None,
                    count=1,
                    now=NOW,
                    valid_for=timedelta(days=7),
                )
            except storage.NotFoundError as error:
                assert (unit or kampung) in str(error)
            else:
                raise AssertionError("expected NotFoundError")


async def test_update_ids_are_claimed_once_and_pruned(runtime: Runtime) -> None:
    async with runtime.database.write() as session:
        assert await storage.claim_update(session, "telegram", "5", NOW)
        assert not await storage.claim_update(session, "telegram", "5", NOW)
        assert await storage.claim_update(session, "whatsapp", "5", NOW)
    async with runtime.database.write() as session:
        removed = await storage.prune_processed_updates(session, NOW + timedelta(seconds=1))
    assert removed == 2


async def test_reports_get_revisions_and_export_latest_in_local_time(runtime: Runtime) -> None:
    code = await make_invite(runtime)
    async with runtime.database.write() as session:
        view = await storage.find_invite(session, code)
        assert view is not None and view.unit_id is not None
        member = await storage.register_member(
            session, invite_id=view.id, channel="t", user_key="1", name="Bu Sari", now=NOW
        )
        assert member.id is not None
        common = {
            "unit_id": view.unit_id,
            "form": "posyandu",
            "slot": "2026-11",
            "period": "2026-11",
            "member_id": member.id,
            "now": NOW,
        }
        first = await storage.save_report(
            session,
            meeting_date=date(2026, 11, 10),
            values={"s": 50, "catatan": "ok"},
            correction_of=None,
            **common,  # type: ignore[arg-type]
        )
        # A second report for the same month, unaware of the first, becomes revision 2.
        second = await storage.save_report(
            session,
            meeting_date=date(2026, 11, 12),
            values={"s": 52},
            correction_of=None,
            **common,  # type: ignore[arg-type]
        )
    assert (first.revision, second.revision) == (1, 2)
    async with runtime.database.read() as session:
        latest = await storage.export_rows(session, period="2026-11")
        everything = await storage.export_rows(session, period="2026-11", all_revisions=True)
        recent = await storage.recent_reports(session, [view.unit_id], "2026-09")
    assert [(r.field, r.value, r.revision) for r in latest] == [("s", 52, 2)]
    assert latest[0].meeting_date == date(2026, 11, 12)
    assert latest[0].reported_at.isoformat() == "2026-11-20T10:00:00+07:00"
    assert latest[0].reported_by == "Bu Sari"
    assert {(r.field, r.revision) for r in everything} == {("s", 1), ("catatan", 1), ("s", 2)}
    [report] = recent
    assert report.revision == 2 and report.values == {"s": 52}
    assert report.reported_at.utcoffset() == timedelta(hours=7)


async def test_conversation_state_round_trip(runtime: Runtime) -> None:
    later = datetime(2026, 11, 21, tzinfo=UTC)
    async with runtime.database.write() as session:
        assert await storage.load_state(session, "telegram", "9") is None
        await storage.save_state(session, "telegram", "9", '{"step": "idle"}', NOW)
        await storage.save_state(session, "telegram", "9", '{"step": "ask"}', later)
    async with runtime.database.read() as session:
        assert await storage.load_state(session, "telegram", "9") == '{"step": "ask"}'
