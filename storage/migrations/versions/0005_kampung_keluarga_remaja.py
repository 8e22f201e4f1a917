"""kampung.keluarga, kampung.remaja: the profile numbers UPPKA and PIK-R are measured against

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kampung", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keluarga", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("remaja", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("kampung", schema=None) as batch_op:
        batch_op.drop_column("remaja")
        batch_op.drop_column("keluarga")
