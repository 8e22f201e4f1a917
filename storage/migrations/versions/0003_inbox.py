"""inbox: updates fetched by long polling, stored before they are confirmed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("update_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "update_id"),
    )


def downgrade() -> None:
    op.drop_table("inbox")
