"""debts: 欠款单位类型 and 是否民营企业 as the ledger declared them for each debt

Revision ID: lpar_0002
Revises: lcom_0001_ledger_fidelity
Create Date: 2026-12-03

Both nullable: existing debts keep answering with their unit's kind and their creditor's registration.
"""

import sqlalchemy as sa
from alembic import op

revision = "lpar_0002"
down_revision = "lcom_0001_ledger_fidelity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("debtor_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("is_private", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("debts", schema=None) as batch_op:
        batch_op.drop_column("is_private")
        batch_op.drop_column("debtor_type")
