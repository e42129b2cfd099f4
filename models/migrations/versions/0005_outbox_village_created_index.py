"""outbox index for the message log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 22:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # GET /api/v1/messages pages through a village's outbox newest first; a broadcast's fan-out can put
    # a million rows there.
    op.create_index(
        "ix_outbox_village_id_created_at_id", "outbox", ["village_id", "created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_village_id_created_at_id", table_name="outbox")
