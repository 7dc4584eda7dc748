"""accountability: restriction measures (限制措施).

Revision ID: accountability_0004
Revises: accountability_0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0004"
down_revision = "accountability_0003"
branch_labels = None
depends_on = None

TABLE = "accountability_measures"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_type", sa.String(length=100), nullable=False),
        sa.Column("decision_no", sa.String(length=100), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("lift_condition", sa.Text(), nullable=False),
        sa.Column("lift_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_unit_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(["lifted_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_lifted_by_id_users")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("jurisdiction_id", "unit_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_{TABLE}_{column}"), [column], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
