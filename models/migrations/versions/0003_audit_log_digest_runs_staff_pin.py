"""audit log, digest runs and settings, staff PIN lockout and pending commands

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:18:56.204719
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill the new non-null columns of rows that already exist.
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_audit_entry_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_audit_entry_village_id_village")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_village_id"), ["village_id"], unique=False)

    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("due_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_digest_run_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_digest_run_village_id_village")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_run")),
        sa.UniqueConstraint(
            "staff_id", "period", "due_at", name=op.f("uq_digest_run_staff_id_period_due_at")
        ),
    )
    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_run_village_id"), ["village_id"], unique=False)

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("pin_locked_until", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("preferred_channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("pending_command", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("pending_until", models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_contact_id_contact"), "contact", ["contact_id"], ["id"]
        )

    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest_time", sa.String(length=5), nullable=False, server_default="07:00")
        )
        batch_op.add_column(sa.Column("digest_daily", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("digest_weekday", sa.Integer(), nullable=True, server_default="0"))
        batch_op.add_column(
            sa.Column("bpd_digest_everything", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_column("bpd_digest_everything")
        batch_op.drop_column("digest_weekday")
        batch_op.drop_column("digest_daily")
        batch_op.drop_column("digest_time")

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_staff_contact_id_contact"), type_="foreignkey")
        batch_op.drop_column("pending_until")
        batch_op.drop_column("pending_command")
        batch_op.drop_column("preferred_channel")
        batch_op.drop_column("contact_id")
        batch_op.drop_column("pin_locked_until")
        batch_op.drop_column("pin_failures")

    with op.batch_alter_table("digest_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_run_village_id"))

    op.drop_table("digest_run")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_village_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_staff_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))

    op.drop_table("audit_entry")
