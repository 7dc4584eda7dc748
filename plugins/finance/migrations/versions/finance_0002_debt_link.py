"""finance: a confirmation's ledger debt, the contract's payment-instrument clause, the assignee

Revision ID: finance_0002_debt_link
Revises: finance_0001
Create Date: 2026-12-04

A request links to (or, once confirmed, creates) the debt in the ledger; the debtor says whether the
contract provides for payment by commercial bill or receivable e-voucher (条例第十一条), so such payments
are flagged when it does not; a factored receivable names its assignee (the creditor of record).
"""

import sqlalchemy as sa
from alembic import op

revision = "finance_0002_debt_link"
down_revision = "finance_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finance_confirmations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("debt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("bills_agreed", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("assignee_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("assigned_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_finance_confirmations_debt_id_debts"), "debts", ["debt_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_finance_confirmations_debt_id"), ["debt_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("finance_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finance_confirmations_debt_id"))
        batch_op.drop_constraint(batch_op.f("fk_finance_confirmations_debt_id_debts"), type_="foreignkey")
        for column in ("assigned_on", "assignee_name", "bills_agreed", "debt_id", "category"):
            batch_op.drop_column(column)
