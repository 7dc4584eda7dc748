"""示例插件：sample_site_visits 按辖区分布所需的键（jurisdiction_id, id）与带辖区的外键

Revision ID: 7a2c4e6b8d01
Revises: 5e1f0a9c3b7d
Create Date: 2026-12-04 14:00:00
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

# revision identifiers, used by Alembic.
revision = "7a2c4e6b8d01"
down_revision = "5e1f0a9c3b7d"
branch_labels = None
# The debts' (jurisdiction_id, id) key the colocated foreign key points at comes with core's shard_0001.
depends_on = "shard_0001"

FOREIGN_KEYS = {"debt_id": "debts"}


def upgrade():
    colocate(op, "sample_site_visits", FOREIGN_KEYS)


def downgrade():
    uncolocate(op, "sample_site_visits", FOREIGN_KEYS)
