"""viewversion: a number raised by triggers on every change to kampung, unit and
member_unit, against which workers check the members' views they keep in memory

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("kampung", "unit", "memberunit")
_OPERATIONS = ("INSERT", "UPDATE", "DELETE")
_BUMP = "UPDATE viewversion SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "viewversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO viewversion (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_view_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bumps_view_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_view_version()"
            )
        return
    for table in _TABLES:
        for operation in _OPERATIONS:
            op.execute(
                f"CREATE TRIGGER {table}_{operation.lower()}_bumps_view_version "
                f"AFTER {operation} ON {table} BEGIN {_BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER {table}_bumps_view_version ON {table}")
        op.execute("DROP FUNCTION bump_view_version()")
    else:
        for table in _TABLES:
            for operation in _OPERATIONS:
                op.execute(f"DROP TRIGGER {table}_{operation.lower()}_bumps_view_version")
    op.drop_table("viewversion")
