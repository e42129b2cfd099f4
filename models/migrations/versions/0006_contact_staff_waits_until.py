"""contact: until when a staff command from the number waits for YA

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 23:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Mirrors staff.pending_until on the sender's contact, which the pipeline reads anyway: a message
    # that is no command, sent while RAPAT / SIARAN / DARURAT waits for YA, is then told it still waits
    # instead of silently cancelling it.
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("staff_waits_until", models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("staff_waits_until")
