"""`make bench`: run every benchmark and write docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench import memory, profile_turns, throughput
from bench.outbox_drain import CEILING, drain
from bench.recap_scale import measure
from tests.postgres import PostgresServer

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


async def main() -> str:
    print("update throughput: 50 kader, a whole posyandu report each ...", flush=True)
    echo = await throughput.echo_rate(50)
    ours = await throughput.kaderbot_rate(50)
    print(f"echo {echo.per_second:.0f}/s, kaderbot {ours.per_second:.0f}/s", flush=True)
    print("profiling both bots ...", flush=True)
    profile_lines = await asyncio.to_thread(profile_turns.per_update_table)
    print("memory: 10,000 members, 1,000 open forms ...", flush=True)
    used = await memory.measure()
    print(used, flush=True)
    print("outbox drain: 2,000 messages against a fake server limited to 30/s ...", flush=True)
    drained = await drain()
    print(drained, flush=True)
    scale = []
    for villages in (1, 50, 1000):
        print(f"recap scale: {villages} villages x 24 months, SQLite ...", flush=True)
        scale.append(await measure(villages, months=24))
        print(scale[-1], flush=True)
    server = PostgresServer()
    server.start()
    try:
        for villages in (1, 50, 1000):
            print(f"recap scale: {villages} villages x 24 months, PostgreSQL ...", flush=True)
            name = f"bench_{villages}"
            admin = await asyncpg.connect(server.url)
            await admin.execute(f"CREATE DATABASE {name}")
            await admin.close()
            scale.append(await measure(villages, months=24, database_url=server.database_url(name)))
            print(scale[-1], flush=True)
    finally:
        server.stop()
    lines = [
        "# Benchmarks",
        "",
        f"Run by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {machine()}.",
        "Numbers are from one run on this machine; timing is never asserted in `make test`.",
        "",
        "## Update throughput",
        "",
        "50 kader each complete a posyandu report (16 updates: /start, /lapor, 14 answers) over",
        "the real python-telegram-bot client against the fake Bot API on 127.0.0.1, each",
        "answering as soon as the bot replies; the ceiling is a bare PTB echo bot",
        "(`concurrent_updates` on) answering the same number of updates on the same server.",
        "KaderBot stores every update (SQLite, WAL).",
        "",
        "| bot | updates | seconds | updates/s | ratio to echo | goal |",
        "|---|---|---|---|---|---|",
        f"| echo (ceiling) | {echo.updates} | {echo.seconds:.1f} | {echo.per_second:.0f} "
        "| 1.00 | |",
        f"| KaderBot | {ours.updates} | {ours.seconds:.1f} | {ours.per_second:.0f} "
        f"| {ours.per_second / echo.per_second:.2f} | >= 0.80 |",
        "",
        "Not met. What bounds it, from profiles of this benchmark (cProfile, and the time",
        "each turn holds the write lock): the engine itself takes 0.2 ms a turn; the process",
        "is mostly busy, at over twice the echo bot's time per update, spent in SQLAlchemy ORM",
        "and aiosqlite round trips on the turn's statements (claim the update id; load member",
        "with units and the state; write the state), all in the one process that also runs",
        "PTB and the fake server; SQLite allows one writer, so turns are serial. Done so far:",
        "writes queue on an in-process lock instead of SQLite's sleeping busy handler; the",
        "state is one upsert; `last_inbound_at` is written at most every five minutes; no",
        "pre-ping on SQLite; reports are loaded only at the steps that read them (last",
        "month's values travel in the draft): together about 65 -> 90-100 updates/s. Next: Core",
        "statements instead of ORM entities on the hot path, and a per-user cache of the",
        "member view.",
        "",
        "Profile of one run of each (cProfile, own time per function grouped by package;",
        "`make bench` prints it fresh). The difference per update is the database layer",
        "(SQLAlchemy, aiosqlite's thread hand-offs) and the event-loop work around it:",
        "",
        *profile_lines,
        "",
        "## Memory",
        "",
        f"Peak RSS (VmHWM) of `kaderbot run` with {used.members:,} registered members and",
        f"{used.open_forms:,} conversations open in the middle of a form, each answered once.",
        "",
        "| members | open forms | RSS idle (MB) | peak RSS (MB) | goal |",
        "|---|---|---|---|---|",
        f"| {used.members} | {used.open_forms} | {used.idle_mb:.0f} | {used.peak_mb:.0f} "
        f"| < {memory.GOAL_MB} |",
        "",
        "matplotlib is imported only to draw a chart and Alembic only to upgrade, so a",
        "worker that never sends a recap carries neither.",
        "",
        "## Outbox drain",
        "",
        "2,000 queued messages to 500 members through the real python-telegram-bot client",
        f"against the fake Bot API on 127.0.0.1, which answers 429 above {CEILING:.0f} sends/s.",
        "",
        "| messages | seconds | rate (msg/s) | ceiling | goal | lost | sent twice | 429s |",
        "|---|---|---|---|---|---|---|---|",
        f"| {drained.messages} | {drained.seconds:.1f} | {drained.rate:.1f} | {CEILING:.0f} "
        f"| >= 28 | {drained.lost} | {drained.duplicates} | {drained.refused} |",
        "",
        "The sender paces itself at 29/s overall and 1/s per chat, so a 429 is rare (timing",
        "jitter at the server); when one comes, every send waits as told and nothing is lost.",
        "",
        "## Recap generation against data size",
        "",
        "10 units per village, 24 months of reports; time to load, compute and render text,",
        "chart (PNG) and spreadsheet (XLSX): one village's recap, and the district recap with",
        "one row per village (all villages in one kecamatan). Goal: 1,000 villages in < 10 s.",
        "",
        "| database | villages | reports | one village's recap (s) | district recap (s) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.database} | {r.villages} | {r.reports} | {r.village_seconds:.2f} "
        f"| {r.district_seconds:.2f} |"
        for r in scale
    ]
    lines += [
        "",
        "Reports are read as plain rows (values in one joined query) and indexed by unit and",
        "month; before that, the district recap of 1,000 villages took 180 s (every unit",
        "scanned every report).",
    ]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    text = asyncio.run(main())
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT}", file=sys.stderr)
