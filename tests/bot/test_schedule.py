"""The schedule with a clock the test controls: what is queued on which local day."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

import storage
from bot.app import Runtime, open_runtime
from bot.config import load_config
from bot.scheduler import Schedule, rules_from
from handlers.reminders import ScheduleRules
from storage.models import Outbox
from tests.conftest import register, write_config

RULES = ScheduleRules(recap_day=1, send_time=time(7, 0), reminder_days_before=(1,), deadline_day=3)
EXTRA_UNIT = """
[[kampung.unit]]
slug = "posyandu-kenanga"
kind = "posyandu"
name = "Posyandu Kenanga"
meets = "day 31"
"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def village(tmp_path: Path) -> AsyncIterator[tuple[Runtime, dict[str, int]]]:
    config = load_config(write_config(tmp_path, extra=EXTRA_UNIT))
    async with open_runtime(config) as runtime:
        people = {
            "ketua_sukamaju": await register(runtime, "1", role="ketua", unit=None),
            "ketua_mekarsari": await register(
                runtime, "2", role="ketua", kampung="mekarsari", unit=None
            ),
            "kader_melati": await register(runtime, "3"),
            "kader_mawar": await register(runtime, "4", unit="posyandu-mawar"),
            "kader_kenanga": await register(
                runtime, "5", kampung="mekarsari", unit="posyandu-kenanga"
            ),
            "plkb": await register(
                runtime, "6", role="plkb", kampung=None, unit=None, kecamatan="Cibeunying"
            ),
        }
        yield runtime, people


async def queued(runtime: Runtime) -> list[Outbox]:
    async with runtime.database.read() as session:
        return await storage.outbox_rows(session)


def kinds_for(rows: list[Outbox], member_id: int) -> list[tuple[str, str]]:
    return [(row.kind, row.period) for row in rows if row.member_id == member_id]


async def test_recap_goes_out_at_seven_local_time_in_each_zone(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 11, 30, 22, 59, tzinfo=UTC))  # 06:59 WITA, 05:59 WIB
    schedule = Schedule(runtime.database, RULES, clock)
    assert await schedule.tick() == 0
    clock.now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00 WITA on the 1st
    assert await schedule.tick() == 2
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_mekarsari"]) == [("recap", "2026-11")]
    assert kinds_for(rows, people["plkb"]) == [("district_recap", "2026-11")]
    assert kinds_for(rows, people["ketua_sukamaju"]) == []
    clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert await schedule.tick() == 1
    assert await schedule.tick() == 0, "planning the same message again queues nothing"
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_sukamaju"]) == [("recap", "2026-11")]
    payload = json.loads(next(r for r in rows if r.member_id == people["ketua_sukamaju"]).payload)
    assert payload["period"] == "2026-11"


async def test_missed_recap_is_caught_up_within_a_week(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 9, 3, 0, tzinfo=UTC))  # down since before the 1st
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    assert not [r for r in await queued(runtime) if r.kind == "recap"]
    clock.now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    await schedule.tick()
    recaps = [r for r in await queued(runtime) if r.kind == "recap"]
    assert {r.member_id for r in recaps} == {people["ketua_sukamaju"], people["ketua_mekarsari"]}


async def test_meeting_reminders_the_day_before(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 7, 0, 0, tzinfo=UTC))  # Monday 7 Dec, 07:00 WIB
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    rows = [r for r in await queued(runtime) if r.kind == "reminder"]
    # "second tuesday" of December 2026 is the 8th.
    [mawar] = [r for r in rows if r.member_id == people["kader_mawar"]]
    assert mawar.period.endswith(":2026-12-08:1")
    text = json.loads(mawar.payload)["text"]
    assert "Posyandu Mawar berkegiatan besok, Selasa, 8 Desember 2026" in text
    assert [r for r in rows if r.member_id == people["kader_melati"]] == []
    clock.now = datetime(2026, 12, 9, 0, 0, tzinfo=UTC)  # the day before "day 10"
    await schedule.tick()
    rows = [r for r in await queued(runtime) if r.kind == "reminder"]
    [melati] = [r for r in rows if r.member_id == people["kader_melati"]]
    assert melati.period.endswith(":2026-12-10:1")


async def test_day_31_meets_on_the_last_day_of_short_months(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    schedule = Schedule(runtime.database, RULES, Clock(datetime(2027, 2, 26, 23, 0, tzinfo=UTC)))
    await schedule.tick()  # 07:00 WITA on 27 February 2027
    rows = await queued(runtime)
    reminders = [p for k, p in kinds_for(rows, people["kader_kenanga"]) if k == "reminder"]
    assert len(reminders) == 1 and reminders[0].endswith(":2027-02-28:1")
    schedule.clock = Clock(datetime(2026, 11, 28, 23, 0, tzinfo=UTC))  # 29 Nov, WITA
    await schedule.tick()
    periods = [p for _, p in kinds_for(await queued(runtime), people["kader_kenanga"])]
    assert any(p.endswith(":2026-11-30:1") for p in periods)


async def test_follow_ups_after_the_deadline_for_missing_units_only(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    async with runtime.database.write() as session:
        units = await storage.active_units(session, [1])
        mawar = next(u for u in units if u.slug == "posyandu-mawar")
        await storage.save_report(
            session,
            unit_id=mawar.id,
            form="posyandu",
            slot="2026-11",
            period="2026-11",
            meeting_date=date(2026, 11, 10),
            values={"s": 1},
            correction_of=None,
            member_id=people["kader_mawar"],
            now=datetime(2026, 11, 10, tzinfo=UTC),
        )
    clock = Clock(datetime(2026, 12, 3, 1, 0, tzinfo=UTC))  # the deadline day itself
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    assert not [r for r in await queued(runtime) if r.kind in ("followup", "missing_list")]
    clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 07:00 WIB the day after
    await schedule.tick()
    rows = await queued(runtime)
    assert [k for k, _ in kinds_for(rows, people["kader_melati"])] == ["followup"]
    assert kinds_for(rows, people["kader_mawar"]) == [], "Mawar reported"
    [missing] = [
        r for r in rows if r.kind == "missing_list" and r.member_id == people["ketua_sukamaju"]
    ]
    text = json.loads(missing.payload)["text"]
    assert "Posyandu Melati (Anggota 3)" in text and "Posyandu Mawar" not in text
    assert "BKB Ceria (belum ada kader terdaftar)" in text


async def test_reminders_off_means_no_reminders_but_still_the_recap(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    async with runtime.database.write() as session:
        await storage.set_reminders(session, people["kader_mawar"], False)
        await storage.set_reminders(session, people["ketua_sukamaju"], False)
    schedule = Schedule(runtime.database, RULES, Clock(datetime(2026, 12, 7, 0, 0, tzinfo=UTC)))
    await schedule.tick()
    rows = await queued(runtime)
    assert kinds_for(rows, people["kader_mawar"]) == []
    assert kinds_for(rows, people["ketua_sukamaju"]) == [("recap", "2026-11")], "no missing list"


async def test_apscheduler_runs_a_tick_at_start(village: tuple[Runtime, dict[str, int]]) -> None:
    runtime, people = village
    config_rules = rules_from(load_config(Path(__file__).parents[2] / "config.toml").schedule)
    assert config_rules == RULES
    woken = asyncio.Event()
    schedule = Schedule(
        runtime.database,
        RULES,
        Clock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        woken.set,
    )
    schedule.start()
    try:
        async with asyncio.timeout(10):
            await woken.wait()
        assert schedule.scheduler is not None
        job = schedule.scheduler.get_job("tick")
        assert job.misfire_grace_time >= 3600 and job.coalesce
    finally:
        schedule.stop()
    assert ("recap", "2026-11") in kinds_for(await queued(runtime), people["ketua_sukamaju"])
