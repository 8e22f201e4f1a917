"""The migrations build exactly the schema the models describe, and runs refuse old ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.cli import main
from storage import Database, migrate
from tests.conftest import write_config


def test_head_constant_is_the_newest_script() -> None:
    assert migrate.script_head() == migrate.HEAD, "update storage.migrate.HEAD"


async def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    engine = Database(f"sqlite:///{tmp_path / 'm.db'}").engine
    try:
        await migrate.upgrade(engine)
        assert await migrate.current(engine) == migrate.HEAD
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()
    assert differences == [], "a model changed without a migration: add one"


async def test_out_of_date_database_is_refused_unless_upgraded(tmp_path: Path) -> None:
    engine = Database(f"sqlite:///{tmp_path / 'old.db'}").engine
    try:
        with pytest.raises(migrate.SchemaOutOfDateError, match="kaderbot db upgrade"):
            await migrate.ensure_current(engine, upgrade_automatically=False)
        await migrate.ensure_current(engine, upgrade_automatically=True)
        assert await migrate.current(engine) == migrate.HEAD
    finally:
        await engine.dispose()


def test_db_upgrade_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    assert f"empty -> {migrate.HEAD}" in capsys.readouterr().err
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    assert f"{migrate.HEAD} -> {migrate.HEAD}" in capsys.readouterr().err
