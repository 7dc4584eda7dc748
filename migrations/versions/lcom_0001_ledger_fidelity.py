"""ledger fidelity: planned repayment date, pending wage amount, opening payments, unit aliases

Revision ID: lcom_0001_ledger_fidelity
Revises: rls_0002_scope_function
Create Date: 2026-12-03 22:40:00

A ledger's 计划偿还时间 lands on the debt; a debt with migrant wages but no wage figure is flagged
(工资金额待补充) instead of refused; 已偿还金额 becomes an opening payment (``payments.opening``); names
clerks use for units are kept per jurisdiction (``unit_aliases``, tenant-owned, with row-level security).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "lcom_0001_ledger_fidelity"
down_revision = "rls_0002_scope_function"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_repayment_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("wage_amount_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Debts saved before: flagged when they already lack the figure.
    op.execute(
        "UPDATE debts SET wage_amount_pending = "
        + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
        + " WHERE migrant_wages AND (migrant_wage_amount IS NULL OR migrant_wage_amount <= 0)"
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "unit_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_unit_aliases_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f("fk_unit_aliases_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f("fk_unit_aliases_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_aliases")),
        sa.UniqueConstraint("jurisdiction_id", "key", name="uq_unit_aliases_jurisdiction_id_key"),
    )
    with op.batch_alter_table("unit_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unit_aliases_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unit_aliases_unit_id"), ["unit_id"], unique=False)
    rls.grant_app_role(op, "unit_aliases")
    rls.enable_tenant_rls(op, "unit_aliases")


def downgrade():
    rls.disable_tenant_rls(op, "unit_aliases")
    with op.batch_alter_table("unit_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_aliases_unit_id"))
        batch_op.drop_index(batch_op.f("ix_unit_aliases_jurisdiction_id"))
    op.drop_table("unit_aliases")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("opening")
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.drop_column("wage_amount_pending")
        batch_op.drop_column("planned_repayment_date")
