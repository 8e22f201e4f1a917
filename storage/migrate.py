"""Schema migrations (Alembic), run programmatically on the project's own engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

_SCRIPTS = Path(__file__).parent / "migrations"


class SchemaOutOfDateError(RuntimeError):
    """The database is behind the code: `kaderbot db upgrade` brings it up to date."""


def _config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


async def current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def upgrade(engine: AsyncEngine) -> None:
    """Create or upgrade the schema to the newest revision."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_config(sync), "head"))


async def ensure_current(engine: AsyncEngine, *, upgrade_automatically: bool) -> None:
    """Upgrade (when allowed) or refuse to run on a schema older than the code."""
    found = await current(engine)
    if found == head():
        return
    if upgrade_automatically:
        await upgrade(engine)
        return
    raise SchemaOutOfDateError(
        f"the database schema is at {found or 'nothing'}, the code needs {head()}: "
        "run `kaderbot db upgrade` first"
    )
