"""wages: projects are edited with If-Match like other items, so they carry a version.

Revision ID: wages_0002_project_version
Revises: wages_0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "wages_0002_project_version"
down_revision = "wages_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wage_projects", schema=None) as batch_op:
        # Projects registered before this revision start at version 1, as new ones do.
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("wage_projects", schema=None) as batch_op:
        batch_op.drop_column("version")
