"""migration owners: the plugin behind each applied migration head

Revision ID: plans_0001
Revises: lpar_0002
Create Date: 2026-12-03 22:40:00

When a plugin is uninstalled after its migrations ran, Alembic only says it cannot locate a revision.
``qingqian db upgrade`` records each applied head's plugin here so it can say which plugin is missing.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "plans_0001"
down_revision = "lpar_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "migration_owners",
        sa.Column("revision", sa.String(length=64), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("revision"),
    )


def downgrade():
    op.drop_table("migration_owners")
