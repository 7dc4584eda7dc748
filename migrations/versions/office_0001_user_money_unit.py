"""users.money_unit: the unit (万元 or 元) a user reads tables in

Revision ID: office_0001
Revises: plans_0001
Create Date: 2026-12-03 23:40:00

NULL means the plan's default (万元 for tables of units).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "office_0001"
down_revision = "plans_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("money_unit", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("money_unit")
