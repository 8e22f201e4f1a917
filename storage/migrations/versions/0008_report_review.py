"""reportrevision review columns: the ketua approves or returns each revision

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reportrevision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("approved_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("returned_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("returned_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("return_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            "fk_reportrevision_approved_by_member", "member", ["approved_by"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_reportrevision_returned_by_member", "member", ["returned_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reportrevision", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reportrevision_returned_by_member", type_="foreignkey")
        batch_op.drop_constraint("fk_reportrevision_approved_by_member", type_="foreignkey")
        batch_op.drop_column("return_reason")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("returned_by")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")
