"""accountability: a concealment finding can be corrected by a new finding that cites it with a reason
(the old one stays as it was), so several findings may exist on one flag.

Revision ID: accountability_0009_corrections
Revises: accountability_0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "accountability_0009_corrections"
down_revision = "accountability_0008"
branch_labels = None
depends_on = None

TABLE = "accountability_flag_findings"


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"uq_{TABLE}_flag_id"), type_="unique")
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_flag_id"), ["flag_id"], unique=False)
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f(f"fk_{TABLE}_corrects_id"), TABLE, ["corrects_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f(f"uq_{TABLE}_corrects_id"), ["corrects_id"])


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"uq_{TABLE}_corrects_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f(f"fk_{TABLE}_corrects_id"), type_="foreignkey")
        batch_op.drop_column("reason")
        batch_op.drop_column("corrects_id")
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_flag_id"))
        batch_op.create_unique_constraint(batch_op.f(f"uq_{TABLE}_flag_id"), ["flag_id"])
