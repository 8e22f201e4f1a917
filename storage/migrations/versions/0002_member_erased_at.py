"""member.erased_at: an erased member is never a recipient

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
    # Members erased before this column existed carry the `removed-<id>` chat id; their
    # queued messages can never be delivered.
    op.execute("UPDATE member SET erased_at = created_at WHERE user_key LIKE 'removed-%'")
    op.execute(
        "DELETE FROM outbox WHERE member_id IN (SELECT id FROM member WHERE erased_at IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
