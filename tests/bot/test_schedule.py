"""The schedule with a clock the test controls: what is queued on which local day.

With the defaults (recap_day 1, report_deadline_day 3) the ketua gets a status of last
month on the 1st and its final recap on the 4th, each at 07:00 in their Kampung KB's zone.
"""

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
from handlers import outbox as rendering
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

[[kampung]]
slug = "sentani"
name = "Kampung KB Sentani"
kelurahan = "Sentani Kota"
kecamatan = "Sentani"
kabupaten = "Jayapura"
timezone = "Asia/Jayapura"

[[kampung.unit]]
slug = "posyandu-cenderawasih"
kind = "posyandu"
name = "Posyandu Cenderawasih"
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
            "ketua_sentani": await register(
                runtime, "7", role="ketua", kampung="sentani", unit=None
            ),
            "plkb_sentani": await register(
                runtime, "8", role="plkb", kampung=None, unit=None, kecamatan="Sentani"
            ),
        }
        yield runtime, people


async def queued(runtime: Runtime) -> list[Outbox]:
    async with runtime.database.read() as session:
        return await storage.outbox_rows(session)


def kinds_for(rows: list[Outbox], member_id: int) -> list[tuple[str, str]]:
    return [(row.kind, row.period) for row in rows if row.member_id == member_id]


async def save_melati(runtime: Runtime, member_id: int, saved_at: datetime) -> None:
    """Posyandu Melati's report of November 2026, saved at `saved_at`."""
    async with runtime.database.write() as session:
        units = await storage.active_units(session, [1])
        melati = next(u for u in units if u.slug == "posyandu-melati")
        await storage.save_report(
            session,
            unit_id=melati.id,
            form="posyandu",
            slot="2026-11",
            period="2026-11",
            meeting_date=date(2026, 11, 10),
            values={"s": 40, "k": 38, "d": 30, "n": 20, "bgm": 1},
            correction_of=None,
            member_id=member_id,
            now=saved_at,
        )


async def rendered(runtime: Runtime, row: Outbox) -> str:
    """The text the row would be sent with now (rendered when sent)."""
    async with runtime.database.read() as session:
        payload = storage.parse_payload(row.kind, row.payload)
        [reply] = await rendering.render(session, payload, deadline_day=3)
    return reply.text


async def test_status_goes_out_on_the_first_at_seven_local_time_in_each_zone(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 11, 30, 21, 59, tzinfo=UTC))  # 06:59 WIT on the 1st
    schedule = Schedule(runtime.database, RULES, clock)
    assert await schedule.tick() == 0
    clock.now = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 07:00 WIT
    assert await schedule.tick() == 2
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_sentani"]) == [("recap_status", "2026-11")]
    assert kinds_for(rows, people["plkb_sentani"]) == [("district_status", "2026-11")]
    clock.now = datetime(2026, 11, 30, 22, 59, tzinfo=UTC)  # 06:59 WITA, 05:59 WIB
    assert await schedule.tick() == 0
    clock.now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00 WITA on the 1st
    assert await schedule.tick() == 2
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_mekarsari"]) == [("recap_status", "2026-11")]
    assert kinds_for(rows, people["plkb"]) == [("district_status", "2026-11")]
    assert kinds_for(rows, people["ketua_sukamaju"]) == []
    clock.now = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert await schedule.tick() == 1
    assert await schedule.tick() == 0, "planning the same message again queues nothing"
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_sukamaju"]) == [("recap_status", "2026-11")]
    assert not [r for r in rows if "recap" in r.kind and "status" not in r.kind], "no recap yet"
    [status] = [r for r in rows if r.member_id == people["ketua_sukamaju"]]
    payload = json.loads(status.payload)
    assert payload["deadline"] == "2026-12-03" and payload["final_recap"] == "2026-12-04"


async def test_status_names_who_reported_and_who_is_due_with_the_deadline(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    await save_melati(runtime, people["kader_melati"], datetime(2026, 11, 10, tzinfo=UTC))
    schedule = Schedule(runtime.database, RULES, Clock(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)))
    await schedule.tick()
    rows = await queued(runtime)
    [status] = [r for r in rows if r.member_id == people["ketua_sukamaju"]]
    text = await rendered(runtime, status)
    assert text.startswith("📋 Status laporan November 2026\nKampung KB Sukamaju")
    assert "Sudah lapor (1 dari 6 unit):\n• Posyandu Melati" in text
    assert "• Posyandu Mawar (Anggota 4)" in text
    assert "• BKB Ceria (belum ada kader terdaftar)" in text
    assert "Kegiatan" not in text, "only units that owe reports"
    assert "Batas lapor: Kamis, 3 Desember 2026. Rekap akhir dikirim Jumat, 4 Desember 2026." in (
        text
    )
    [district] = [r for r in rows if r.member_id == people["plkb"]]
    text = await rendered(runtime, district)
    assert "Kecamatan Cibeunying" in text
    assert "• Kampung KB Sukamaju: 1 dari 6 unit sudah lapor" in text
    assert "• Kampung KB Mekarsari: 0 dari 4 unit sudah lapor" in text


async def test_final_recap_the_day_after_the_deadline_counts_a_report_of_the_deadline_day(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    await save_melati(runtime, people["kader_melati"], datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    clock.now = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)  # 06:59 WIB on the 4th
    await schedule.tick()
    assert kinds_for(await queued(runtime), people["ketua_sukamaju"]) == [
        ("recap_status", "2026-11")
    ]
    clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 07:00 WIB on the 4th
    await schedule.tick()
    rows = await queued(runtime)
    assert kinds_for(rows, people["ketua_sukamaju"]) == [
        ("recap_status", "2026-11"),
        ("final_recap", "2026-11"),
    ], "no missing list besides: the final recap lists the units still missing"
    assert ("final_district_recap", "2026-11") in kinds_for(rows, people["plkb"])
    [final] = [r for r in rows if r.kind == "final_recap" and r.member_id == 1]
    text = await rendered(runtime, final)
    assert text.startswith("📊 Rekap akhir Kampung KB Sukamaju\nNovember 2026")
    assert "S 40 · K 38 · D 30 · N 20 · BGM 1" in text, "the report of the 3rd counts"
    assert "Kelengkapan: 1 dari 6 unit lapor" in text and "tepat waktu 100,0%" in text
    assert "• Posyandu Mawar (Anggota 4)" in text
    [district] = [r for r in rows if r.kind == "final_district_recap" and r.member_id == 6]
    assert (await rendered(runtime, district)).startswith("📊 Rekap akhir Kecamatan Cibeunying")


async def test_final_recap_at_seven_wit_before_wita_and_wib(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 3, 22, 0, tzinfo=UTC))  # 07:00 WIT on the 4th
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    finals = [(r.kind, r.member_id) for r in await queued(runtime) if r.kind.startswith("final")]
    assert finals == [
        ("final_recap", people["ketua_sentani"]),
        ("final_district_recap", people["plkb_sentani"]),
    ]


async def test_sent_once_across_ticks_and_a_restart(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, extra=EXTRA_UNIT))
    clock = Clock(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    async with open_runtime(config) as runtime:
        ketua = await register(runtime, "1", role="ketua", unit=None)
        schedule = Schedule(runtime.database, rules_from(config.schedule), clock)
        assert await schedule.tick() == 1
        clock.now = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
        assert await schedule.tick() == 0
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    async with open_runtime(config) as runtime:  # the process came back
        schedule = Schedule(runtime.database, rules_from(config.schedule), clock)
        assert await schedule.tick() == 0
        clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
        assert await schedule.tick() == 1
    clock.now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    async with open_runtime(config) as runtime:
        schedule = Schedule(runtime.database, rules_from(config.schedule), clock)
        assert await schedule.tick() == 0
        rows = await queued(runtime)
    assert kinds_for(rows, ketua) == [("recap_status", "2026-11"), ("final_recap", "2026-11")]


async def test_missed_status_and_final_recap_are_caught_up_in_order(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 12, 3, 0, tzinfo=UTC))  # down since before the 1st
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    assert not [r for r in await queued(runtime) if "recap" in r.kind], "a week late is stale"
    clock.now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    await schedule.tick()
    rows = await queued(runtime)
    assert not [r for r in rows if "status" in r.kind], "no status after the final recap"
    finals = [r for r in rows if r.kind == "final_recap"]
    assert {r.member_id for r in finals} == {
        people["ketua_sukamaju"],
        people["ketua_mekarsari"],
        people["ketua_sentani"],
    }


async def test_missed_status_comes_late_but_before_the_final_recap(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    clock = Clock(datetime(2026, 12, 3, 23, 30, tzinfo=UTC))  # 06:30 WIB on the 4th
    schedule = Schedule(runtime.database, RULES, clock)
    await schedule.tick()
    assert kinds_for(await queued(runtime), people["ketua_sukamaju"]) == [
        ("recap_status", "2026-11")
    ]


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
    assert [k for k, _ in kinds_for(rows, people["ketua_sukamaju"])] == [
        "recap_status",  # caught up on the 3rd
        "final_recap",
    ], "no missing list besides the final recap"
    [final] = [r for r in rows if r.kind == "final_recap" and r.member_id == 1]
    text = await rendered(runtime, final)
    assert "Posyandu Melati (Anggota 3)" in text and "Posyandu Mawar (" not in text
    assert "BKB Ceria (belum ada kader terdaftar)" in text


@pytest.mark.parametrize(
    ("recap_day", "ketua_gets_on_the_4th"),
    [(1, "missing_list"), (4, "recap_status")],
)
async def test_with_a_later_final_recap_the_ketua_gets_one_message_the_day_after_the_deadline(
    village: tuple[Runtime, dict[str, int]], recap_day: int, ketua_gets_on_the_4th: str
) -> None:
    runtime, people = village
    rules = ScheduleRules(recap_day, time(7, 0), (1,), deadline_day=3, final_recap_day=6)
    schedule = Schedule(runtime.database, rules, Clock(datetime(2026, 12, 4, 0, 0, tzinfo=UTC)))
    await schedule.tick()
    rows = await queued(runtime)
    assert [k for k, _ in kinds_for(rows, people["ketua_sukamaju"])] == [ketua_gets_on_the_4th]
    [told] = [r for r in rows if r.member_id == people["ketua_sukamaju"]]
    text = json.loads(told.payload).get("text") or await rendered(runtime, told)
    assert "Posyandu Melati (Anggota 3)" in text
    assert [k for k, _ in kinds_for(rows, people["kader_melati"])] == ["followup"]


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
    assert kinds_for(rows, people["ketua_sukamaju"]) == [("final_recap", "2026-11")]


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
    assert ("recap_status", "2026-11") in kinds_for(await queued(runtime), people["ketua_sukamaju"])


async def test_an_old_config_with_recap_day_after_the_deadline_keeps_its_recap_day(
    tmp_path: Path,
) -> None:
    """`recap_day = 5` (deadline 3) from before the final recap: the recap, now final,
    still comes on the 5th; no status; the missing list on the 4th as before."""
    schedule_section = "[schedule]\nrecap_day = 5\nreport_deadline_day = 3\n\n[[kampung]]"
    path = write_config(tmp_path)
    path.write_text(path.read_text().replace("[[kampung]]", schedule_section, 1))
    config = load_config(path)
    rules = rules_from(config.schedule)
    assert (rules.final_day, rules.status_day) == (5, None)
    async with open_runtime(config) as runtime:
        ketua = await register(runtime, "1", role="ketua", unit=None)
        clock = Clock(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
        schedule = Schedule(runtime.database, rules, clock)
        assert await schedule.tick() == 0
        clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
        await schedule.tick()
        assert kinds_for(await queued(runtime), ketua) == [("missing_list", "2026-11")]
        clock.now = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
        await schedule.tick()
        assert kinds_for(await queued(runtime), ketua) == [
            ("missing_list", "2026-11"),
            ("final_recap", "2026-11"),
        ]


async def test_a_final_recap_on_the_28th_missed_is_caught_up_in_the_next_month(
    village: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, people = village
    rules = ScheduleRules(
        recap_day=1, send_time=time(7, 0), reminder_days_before=(1,), deadline_day=27
    )
    assert rules.final_day == 28
    # Down from the 27th of November until the 1st of December, 10:00 WIB: the final recap
    # of October (due on 28 November) is 3 days late, well within the week of catching up.
    clock = Clock(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    await Schedule(runtime.database, rules, clock).tick()
    assert kinds_for(await queued(runtime), people["ketua_sukamaju"]) == [
        ("final_recap", "2026-10"),
        ("recap_status", "2026-11"),
    ]
    assert ("final_district_recap", "2026-10") in kinds_for(await queued(runtime), people["plkb"])
