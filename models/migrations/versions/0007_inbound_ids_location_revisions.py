"""message and outbox: provider ids whole; message: location, cut text, edits and deletions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

WIDE, NARROW = sa.String(length=255), sa.VARCHAR(length=80)

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Provider ids were cut to 80 characters, so two ids sharing their first 80 made the second a
    # "repeat" that was never stored. They are now kept whole up to 255; longer ones are refused.
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.alter_column("provider_id", existing_type=NARROW, type_=WIDE, existing_nullable=True)
        # The length of a text longer than the 4,096 characters kept; a place shared (WhatsApp, Twilio
        # WhatsApp); when the resident edited or deleted the message in WhatsApp.
        batch_op.add_column(sa.Column("body_cut_from", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("location", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("edited_at", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("provider_id", existing_type=NARROW, type_=WIDE, existing_nullable=True)


def downgrade() -> None:
    # Going back fails on PostgreSQL while an id longer than 80 characters is stored: nothing is cut.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("provider_id", existing_type=WIDE, type_=NARROW, existing_nullable=True)
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("location")
        batch_op.drop_column("body_cut_from")
        batch_op.alter_column("provider_id", existing_type=WIDE, type_=NARROW, existing_nullable=True)
