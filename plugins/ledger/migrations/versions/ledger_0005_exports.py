"""ledger: background exports (who requested which workbook, its file while kept)

Revision ID: ledger_0005
Revises: ledger_0004
Create Date: 2026-11-27

Tenant-owned, so it gets the jurisdiction row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "ledger_0005"
down_revision = "ledger_0004"
branch_labels = None
depends_on = None

TABLE = "ledger_exports"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("stored_path", sa.String(length=500), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{TABLE}_unit_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f(f"fk_{TABLE}_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_exports_scope_created", ["jurisdiction_id", "unit_id", "created_at"], unique=False
        )
    rls.enable_tenant_rls(op, TABLE)


def downgrade() -> None:
    # Dropping the table drops its row-level security policy with it.
    op.drop_table(TABLE)
