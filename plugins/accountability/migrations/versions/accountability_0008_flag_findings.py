"""accountability: the office's findings on concealment flags (瞒报漏报认定); referrals name the confirmed
flags they are built from.

Revision ID: accountability_0008
Revises: accountability_0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0008"
down_revision = "accountability_0007"
branch_labels = None
depends_on = None

TABLE = "accountability_flag_findings"
REFERRALS = "accountability_referrals"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        # No foreign key to ledger_flags: the ledger plugin may be absent, and the finding copies what it
        # relies on.
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("kind_label", sa.String(length=100), nullable=False),
        sa.Column("finding", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=120), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name=op.f(f"fk_{TABLE}_debt_id_debts")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("flag_id", name=op.f(f"uq_{TABLE}_flag_id")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("jurisdiction_id", "unit_id", "debt_id", "finding"):
            batch_op.create_index(batch_op.f(f"ix_{TABLE}_{column}"), [column], unique=False)
    rls.enable_tenant_rls(op, TABLE)
    with op.batch_alter_table(REFERRALS, schema=None) as batch_op:
        batch_op.add_column(sa.Column("finding_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(REFERRALS, schema=None) as batch_op:
        batch_op.drop_column("finding_ids")
    op.drop_table(TABLE)
