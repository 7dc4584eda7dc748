"""rate_limit_counters: rate limits and login holds shared by every worker when there is no Redis

Revision ID: sec_0002_rate_limit_counters
Revises: sec_0001_creditor_unit_views
Create Date: 2026-12-03 22:50:00

Without Redis the counters lived in each process's memory: four gunicorn workers granted four times the
limit, and a restart forgot every lock. Not tenant data (keys are addresses and account names): grants only.
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "sec_0002_rate_limit_counters"
down_revision = "sec_0001_creditor_unit_views"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_counters")),
    )
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_counters_expires_at"), ["expires_at"], unique=False)
    rls.grant_app_role(op, "rate_limit_counters")


def downgrade():
    with op.batch_alter_table("rate_limit_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counters_expires_at"))
    op.drop_table("rate_limit_counters")
