"""Peak memory (VmHWM) of `kaderbot run` with many members and open conversations.

The database holds `members` registered kader, `open_forms` of them in the middle of a
posyandu form; each of those sends its next answer through the fake Bot API, so the
process loads and answers every open conversation once.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import open_runtime
from bot.config import load_config
from handlers.conversation import Draft, State, Step
from storage.models import Conversation, Member, MemberUnit
from tests.conftest import TOKEN, write_config
from tests.fakes.botapi import FakeBotApi

GOAL_MB = 150


@dataclass
class MemoryResult:
    members: int
    open_forms: int
    peak_mb: float
    idle_mb: float


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise KeyError(field)


async def measure(members: int = 10_000, open_forms: int = 1_000) -> MemoryResult:
    api = FakeBotApi()
    await api.start()
    with tempfile.TemporaryDirectory() as folder:
        config_path = write_config(Path(folder), api.base_url)
        config = load_config(config_path)
        today = date.today().isoformat()
        async with open_runtime(config) as runtime:
            now = datetime.now(UTC)
            async with runtime.database.write() as session:
                rows = [
                    Member(
                        channel="telegram",
                        user_key=str(100_000 + n),
                        name=f"Kader {n}",
                        role="kader",
                        kampung_id=1,
                        created_at=now,
                        last_inbound_at=now,
                    )
                    for n in range(members)
                ]
                session.add_all(rows)
                await session.flush()
                session.add_all(MemberUnit(member_id=m.id, unit_id=1) for m in rows if m.id)
                draft = Draft(form="posyandu", unit_id=1, answers={"tanggal": today}, field="s")
                state = State(step=Step.ASK, prompt=3, draft=draft).model_dump_json()
                session.add_all(
                    Conversation(
                        channel="telegram", user_key=str(100_000 + n), state=state, updated_at=now
                    )
                    for n in range(open_forms)
                )
        env = {**os.environ, "KADERBOT_TEST_TOKEN": TOKEN}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path), env=env
        )
        try:
            await api.wait_for_call("setMyCommands", 1)
            await asyncio.sleep(1)
            idle = _kib(process.pid, "VmRSS:")
            for n in range(open_forms):
                await api.user_says(100_000 + n, "50")
            await api.wait_for_sent(open_forms)
            assert all("K: balita" in sent.text for sent in api.sent), "each form went on"
            peak = _kib(process.pid, "VmHWM:")
        finally:
            await api.release_polls()
            process.terminate()
            await process.wait()
    await api.stop()
    return MemoryResult(members, open_forms, peak / 1024, idle / 1024)


if __name__ == "__main__":
    print(asyncio.run(measure()))
