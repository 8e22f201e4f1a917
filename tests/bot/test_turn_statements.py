"""What a turn in the middle of a form asks of SQLite: the update claimed, the member and
the state read, the state saved, nothing else. What later features read (reports, the
members a ketua manages, held months, reviews, unlock grants) is read only by the turns
that need it. Traced on the sqlite3 connection itself, so statements run past SQLAlchemy
(storage/prepared.py) count too."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from bot.app import open_runtime
from bot.config import load_config
from handlers.messages import Incoming
from tests.conftest import register, write_config


async def test_a_turn_in_the_middle_of_a_form_runs_only_the_turns_own_statements(
    tmp_path: Path,
) -> None:
    async with open_runtime(load_config(write_config(tmp_path))) as runtime:
        await register(runtime, "91", unit="posyandu-melati")
        service = runtime.service
        seen: list[str] = []
        engine = runtime.database.engine
        await engine.dispose()  # new connections, traced from the start

        @event.listens_for(engine.sync_engine, "connect")
        def _trace(dbapi_connection: object, _record: object) -> None:
            raw = dbapi_connection.driver_connection._conn  # type: ignore[attr-defined]
            raw.set_trace_callback(seen.append)

        def said(text: str, update_id: str) -> Incoming:
            return Incoming(channel="telegram", user_key="91", text=text, update_id=update_id)

        for n, text in enumerate(["/lapor", "hari ini"]):
            await service.handle(said(text, f"u{n}"))
        seen.clear()
        replies = await service.handle(said("50", "u9"))

    assert "K: balita" in replies[-1].text
    first_words = [sql.split()[0].upper() for sql in seen]
    assert first_words == ["BEGIN", "INSERT", "DELETE", "SELECT", "SELECT", "INSERT", "COMMIT"]
    assert "processedupdate" in seen[1] and "inbox" in seen[2]
    assert "FROM member" in seen[3] and "FROM conversation" in seen[4]
    assert "INTO conversation" in seen[5]
