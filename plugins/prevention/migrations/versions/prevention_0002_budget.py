"""prevention: budget arrangements for paying debts (还款纳入预算)

Revision ID: prevention_0002_budget
Revises: prevention_0001
Create Date: 2026-12-03

Tenant-owned, so it gets the jurisdiction row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "prevention_0002_budget"
down_revision = "prevention_0001"
branch_labels = None
depends_on = None

TABLE = "prevention_budget_arrangements"


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{TABLE}_{column}_{ref_table}"))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("budget_line", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _fk("debt_id", "debts.id"),
        _fk("created_by_id", "users.id"),
        _fk("jurisdiction_id", "tenant_nodes.id"),
        _fk("unit_id", "tenant_nodes.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("debt_id", "year", name="uq_prevention_budget_arrangements_debt_year"),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("debt_id", "jurisdiction_id", "unit_id"):
            batch_op.create_index(batch_op.f(f"ix_{TABLE}_{column}"), [column], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
