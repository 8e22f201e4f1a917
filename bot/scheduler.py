"""The schedule: a periodic tick plans what is due and queues it in the outbox.

One interval job rather than a stored job per village and meeting: the tick computes from
the database what should have been queued by now (`handlers.reminders.plan_kampung`), and
the outbox's unique key makes it idempotent. A tick at start catches up what was missed
while the process was down. APScheduler 3's defaults would silently skip a late run
(misfire_grace_time of 1 s, APScheduler #292), hence the explicit grace and coalescing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

import storage
from bot.config import ScheduleSettings
from handlers.periods import shift_period
from handlers.reminders import (
    KampungPlanInput,
    Planned,
    ScheduleRules,
    plan_district,
    plan_kampung,
)
from storage import Database, Recipient, UnitView

log = logging.getLogger(__name__)

TICK_MINUTES = 5
MISFIRE_GRACE_SECONDS = 6 * 3600


def rules_from(settings: ScheduleSettings) -> ScheduleRules:
    hour, minute = (int(part) for part in settings.recap_time.split(":"))
    return ScheduleRules(
        recap_day=settings.recap_day,
        send_time=time(hour, minute),
        reminder_days_before=settings.reminder_days_before,
        deadline_day=settings.report_deadline_day,
        final_recap_day=settings.final_recap_day,
    )


class Schedule:
    def __init__(
        self,
        database: Database,
        rules: ScheduleRules,
        clock: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.rules = rules
        self.clock = clock
        self.on_queued = on_queued
        self.scheduler: AsyncIOScheduler | None = None

    async def plan(self, now: datetime) -> list[Planned]:
        async with self.database.read() as session:
            kampungs = await storage.kampung_views(session)
            units = await storage.active_units(session, [k.id for k in kampungs])
            kader = await storage.kader_by_unit(session, [u.id for u in units])
            ketua = await storage.recipients(session, role="ketua")
            plkb = await storage.recipients(session, role="plkb")
            # Last month differs between zones only around midnight of the 1st.
            periods = {
                shift_period(now.astimezone(ZoneInfo(k.timezone)).strftime("%Y-%m"), -1)
                for k in kampungs
            }
            reported = await storage.reported_units(session, sorted(periods))
        # Grouped once: a province has thousands of villages, and this runs every tick.
        units_of: dict[int, list[UnitView]] = defaultdict(list)
        for unit in units:
            units_of[unit.kampung_id].append(unit)
        ketua_of: dict[int | None, list[Recipient]] = defaultdict(list)
        for chair in ketua:
            ketua_of[chair.kampung_id].append(chair)
        plkb_of: dict[str | None, list[Recipient]] = defaultdict(list)
        for officer in plkb:
            plkb_of[officer.kecamatan].append(officer)
        planned: list[Planned] = []
        for kampung in kampungs:
            local_period = now.astimezone(ZoneInfo(kampung.timezone)).strftime("%Y-%m")
            planned += plan_kampung(
                now,
                self.rules,
                KampungPlanInput(
                    kampung=kampung,
                    units=units_of[kampung.id],
                    ketua=ketua_of[kampung.id],
                    kader_by_unit=kader,
                    reported_last_month=frozenset(
                        reported.get(shift_period(local_period, -1), set())
                    ),
                ),
            )
        zones = {k.kecamatan: k.timezone for k in reversed(kampungs)}
        for kecamatan, timezone in sorted(zones.items()):
            planned += plan_district(now, self.rules, kecamatan, timezone, plkb_of[kecamatan])
        return planned

    async def tick(self) -> int:
        """Queue what is due now; returns how many rows were new."""
        now = self.clock()
        planned = await self.plan(now)
        queued = 0
        async with self.database.write() as session:
            for item in planned:
                queued += await storage.enqueue(
                    session,
                    kind=item.kind,
                    member_id=item.member_id,
                    period=item.period,
                    payload=item.payload,
                    now=now,
                )
        if queued:
            log.info("queued %d scheduled messages", queued)
            self.on_queued()
        return queued

    def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(minutes=TICK_MINUTES, timezone=UTC),
            id="tick",
            next_run_time=datetime.now(UTC),  # a tick at start catches up
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
