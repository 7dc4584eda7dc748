"""finance: attachments of a confirmation request (contract, invoices), tenant-owned with RLS

Revision ID: finance_0003_attachments
Revises: finance_0002_debt_link
Create Date: 2026-12-04

The SME sends its evidence with the public request, checked like a complaint's (PDF, JPEG or PNG by
content, at most five files of 5 MB); the rows belong to the debtor unit, as the request does.
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "finance_0003_attachments"
down_revision = "finance_0002_debt_link"
branch_labels = None
depends_on = None

TABLE = "finance_confirmation_attachments"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmation_id"],
            ["finance_confirmations.id"],
            name=op.f(f"fk_{TABLE}_confirmation_id_finance_confirmations"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_confirmation_id"), ["confirmation_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_unit_id"), ["unit_id"], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
