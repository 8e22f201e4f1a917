"""kampung.kode_wilayah, unit.kode_poktan, unit.nomor_register: the codes on the upstream
registers (R/I, the Kampung KB portal), optional, from config

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kampung", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kode_wilayah", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kode_poktan", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("nomor_register", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("nomor_register")
        batch_op.drop_column("kode_poktan")
    with op.batch_alter_table("kampung", schema=None) as batch_op:
        batch_op.drop_column("kode_wilayah")
