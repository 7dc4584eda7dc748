"""accountability: referrals to discipline inspection (问责移送).

Revision ID: accountability_0006
Revises: accountability_0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0006"
down_revision = "accountability_0005"
branch_labels = None
depends_on = None

TABLE = "accountability_referrals"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("received_by", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_unit_id"), ["unit_id"], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
