"""Schema migrations (Alembic), run programmatically on the project's own engine.

Alembic is imported only to upgrade: checking the revision is one query against
`alembic_version` and the HEAD constant below (a test keeps HEAD equal to the newest
script), so a running worker does not carry Alembic in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0011"
_SCRIPTS = Path(__file__).parent / "migrations"


class SchemaOutOfDateError(RuntimeError):
    """The database is behind the code: `kaderbot db upgrade` brings it up to date."""


def _config(connection: Any = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def script_head() -> str:
    """The newest migration script's revision (what HEAD must say)."""
    from alembic.script import ScriptDirectory

    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


async def current(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except (OperationalError, ProgrammingError, DBAPIError):
            return None  # no version table: an empty database
        found = result.scalar()
        return str(found) if found is not None else None


async def upgrade(engine: AsyncEngine) -> None:
    """Create or upgrade the schema to the newest revision."""
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_config(sync), "head"))


async def ensure_current(engine: AsyncEngine, *, upgrade_automatically: bool) -> None:
    """Upgrade (when allowed) or refuse to run on a schema older than the code."""
    found = await current(engine)
    if found == HEAD:
        return
    if upgrade_automatically:
        await upgrade(engine)
        return
    raise SchemaOutOfDateError(
        f"the database schema is at {found or 'nothing'}, the code needs {HEAD}: "
        "run `kaderbot db upgrade` first"
    )
