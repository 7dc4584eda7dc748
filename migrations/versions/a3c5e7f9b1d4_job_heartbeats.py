"""jobs: heartbeat of the running attempt

Revision ID: a3c5e7f9b1d4
Revises: 8f2a6c4d1e37
Create Date: 2026-11-26 23:10:00

A job whose worker process died (restart, deploy, out of memory) stayed ``running`` for ever, and so did
whatever waited for it (a ledger import could then never be committed again). Running attempts now write
a heartbeat; the scheduler runs a silent one again or fails it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3c5e7f9b1d4"
down_revision = "8f2a6c4d1e37"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
