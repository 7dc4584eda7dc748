"""ledger: duplicate-row counts, the upload's chosen amount unit, and remembered column mappings

Revision ID: lpar_0001
Revises: ledger_0005
Create Date: 2026-12-03

``ledger_column_mappings`` is tenant-owned (one jurisdiction's headers), so it gets the jurisdiction
row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "lpar_0001"
down_revision = "ledger_0005"
branch_labels = None
depends_on = None

TABLE = "ledger_column_mappings"


def upgrade() -> None:
    with op.batch_alter_table("ledger_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rows_duplicate", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("amount_unit", sa.String(length=8), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("header_key", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("jurisdiction_id", "header_key", name="uq_ledger_column_mappings_header"),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    op.drop_table(TABLE)
    with op.batch_alter_table("ledger_imports", schema=None) as batch_op:
        batch_op.drop_column("amount_unit")
        batch_op.drop_column("rows_duplicate")
