"""processedupdate.user_key: erasing a member erases their processed update ids

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processedupdate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("user_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("processedupdate", schema=None) as batch_op:
        batch_op.drop_column("user_key")
