"""contact: who added it (a staff member), so that reporters who only wrote in can be told apart

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 00:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Contacts known only as reporters of complaints about the head or anonymous ones are hidden from
    # most roles (handlers/contact_book/records.py); one a staff member added is not such a contact.
    # Existing contacts get none: a resident who wrote in, unless the audit log says otherwise.
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("created_by")
