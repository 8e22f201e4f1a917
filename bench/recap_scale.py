"""Recap generation time against data size: one village, and a district of many villages."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

import storage
from bot.app import open_runtime
from bot.config import load_config
from handlers import recap
from handlers.periods import shift_period
from storage import Database, migrate
from storage.models import Report, ReportRevision, ReportValue

UNIT_KINDS = (
    "posyandu",
    "posyandu",
    "posyandu",
    "posyandu",
    "posyandu",
    "bkb",
    "bkr",
    "bkl",
    "kb",
    "posyandu",
)


def config_text(folder: Path, villages: int) -> str:
    parts = [f'[database]\nurl = "sqlite:///{folder / "bench.db"}"\n']
    for v in range(villages):
        parts.append(
            f'[[kampung]]\nslug = "desa-{v}"\nname = "Kampung KB Desa {v:04d}"\n'
            f'kelurahan = "Desa {v}"\nkecamatan = "Bench"\nkabupaten = "Bench"\n'
            "keluarga_balita = 240\nkeluarga_remaja = 470\nkeluarga_lansia = 350\npus = 630\n"
        )
        for u, kind in enumerate(UNIT_KINDS):
            parts.append(
                f'[[kampung.unit]]\nslug = "{kind}-{u}"\nkind = "{kind}"\nname = "{kind} {u}"\n'
                'meets = "day 10"\n'
            )
    return "\n".join(parts)


def values_for(kind: str, rng: random.Random) -> dict[str, int]:
    if kind == "posyandu":
        s = rng.randint(40, 90)
        d = rng.randint(s // 2, s)
        return {
            "s": s,
            "k": rng.randint(d, s),
            "d": d,
            "n": rng.randint(0, d),
            "bgm": rng.randint(0, 3),
            "bumil": rng.randint(0, 9),
            "kader_hadir": 5,
        }
    if kind == "kb":
        aktif = {
            f"aktif_{m}": rng.randint(0, 90)
            for m in ("iud", "mow", "mop", "kondom", "implan", "suntik", "pil")
        }
        return {
            "pus": sum(aktif.values()) + 60,
            **aktif,
            "hamil": 15,
            "ias": 15,
            "iat": 15,
            "tial": 15,
        }
    anggota = rng.randint(15, 40)
    pus = rng.randint(5, anggota)
    return {
        "anggota": anggota,
        "hadir": rng.randint(0, anggota),
        "kader_hadir": 3,
        "pus_anggota": pus,
        "pus_kb": rng.randint(0, pus),
    }


@dataclass
class ScaleResult:
    database: str
    villages: int
    months: int
    reports: int
    village_seconds: float
    district_seconds: float


async def measure(
    villages: int, months: int = 12, period: str = "2026-11", database_url: str | None = None
) -> ScaleResult:
    """`database_url`: an empty PostgreSQL database (migrated here), else a SQLite file."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        text = config_text(folder, villages)
        if database_url is not None:
            text = text.replace(
                f'url = "sqlite:///{folder / "bench.db"}"', f'url = "{database_url}"'
            )
            engine = Database(database_url).engine
            await migrate.upgrade(engine)
            await engine.dispose()
        (folder / "config.toml").write_text(text)
        async with open_runtime(load_config(folder / "config.toml")) as runtime:
            now = datetime(2026, 12, 1, tzinfo=UTC)
            async with runtime.database.read() as session:
                kampungs = await storage.kampung_views(session)
                units = await storage.active_units(session, [k.id for k in kampungs])
            reports: list[dict[str, object]] = []
            revisions: list[dict[str, object]] = []
            values: list[dict[str, object]] = []
            for back in range(months):
                month = shift_period(period, -back)
                year, mon = (int(p) for p in month.split("-"))
                for unit in units:
                    number = len(reports) + 1
                    meeting = None if unit.kind == "kb" else date(year, mon, 10)
                    reports.append(
                        {
                            "id": number,
                            "unit_id": unit.id,
                            "form": unit.kind,
                            "slot": month,
                            "period": month,
                            "meeting_date": meeting,
                            "latest_revision": 1,
                        }
                    )
                    revisions.append(
                        {
                            "id": number,
                            "report_id": number,
                            "revision": 1,
                            "period": month,
                            "meeting_date": meeting,
                            "reported_by": None,
                            "reported_at": now,
                        }
                    )
                    values += [
                        {"revision_id": number, "field": k, "value_int": v, "value_text": None}
                        for k, v in values_for(unit.kind, rng).items()
                    ]
            # Bulk inserts: the data set, not the ORM, is what is being measured.
            async with runtime.database.write() as session:
                for table, rows in (
                    (Report, reports),
                    (ReportRevision, revisions),
                    (ReportValue, values),
                ):
                    for chunk in range(0, len(rows), 20_000):
                        await session.execute(insert(table), rows[chunk : chunk + 20_000])
            count = len(reports)
            started = time.perf_counter()
            async with runtime.database.read() as session:
                built = await recap.kampung_recap(session, kampungs[0], period, 3)
            await recap.kampung_reply(built)
            village_seconds = time.perf_counter() - started
            started = time.perf_counter()
            async with runtime.database.read() as session:
                found, total = await recap.district_recaps(session, "Bench", period, 3)
            reply = await recap.district_reply("Bench", found, total)
            district_seconds = time.perf_counter() - started
            assert (
                len(found) == villages
                and recap.percent(total.forms["posyandu"].total.rate("d_s")) != "-"
            )
            assert reply.files
    kind = "PostgreSQL" if database_url else "SQLite"
    return ScaleResult(kind, villages, months, count, village_seconds, district_seconds)


if __name__ == "__main__":
    print(asyncio.run(measure(5)))
