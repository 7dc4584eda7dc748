"""Ledger imports: uploads, their per-row previews, and the row keys that tie debts to file rows.

Revision ID: ledger_0002
Revises: ledger_0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "ledger_0002"
down_revision = "ledger_0001"
branch_labels = None
depends_on = None

TENANT_COLUMNS = (
    ("unit_id", "tenant_nodes.id"),
    ("jurisdiction_id", "tenant_nodes.id"),
)


def _tenant_columns(table: str) -> list:
    cols = [sa.Column(name, sa.Integer(), nullable=False) for name, _ in TENANT_COLUMNS]
    fks = [
        sa.ForeignKeyConstraint([name], [target], name=f"fk_{table}_{name}_tenant_nodes")
        for name, target in TENANT_COLUMNS
    ]
    return cols + fks


def upgrade() -> None:
    op.create_table(
        "ledger_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("original_filename", sa.String(length=255), nullable=False),
        sa.Column("stored_path", sa.String(length=500), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_warning", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_new", sa.Integer(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("file_info", sa.JSON(), nullable=True),
        sa.Column("file_issues", sa.JSON(), nullable=True),
        sa.Column("parse_job_id", sa.String(length=36), nullable=True),
        sa.Column("commit_job_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("parsed_at", sa.DateTime(), nullable=True),
        sa.Column("committed_at", sa.DateTime(), nullable=True),
        sa.Column("committed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        *_tenant_columns("ledger_imports"),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name="fk_ledger_imports_uploaded_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["committed_by_id"], ["users.id"], name="fk_ledger_imports_committed_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_imports"),
    )
    with op.batch_alter_table("ledger_imports", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_imports_jurisdiction_id", ["jurisdiction_id"], unique=False)
        batch_op.create_index("ix_ledger_imports_unit_id", ["unit_id"], unique=False)
        batch_op.create_index("ix_ledger_imports_uploaded_by_id", ["uploaded_by_id"], unique=False)
        batch_op.create_index("ix_ledger_imports_sha256", ["sha256"], unique=False)
        batch_op.create_index("ix_ledger_imports_status", ["status"], unique=False)
        batch_op.create_index(
            "ix_ledger_imports_scope_created", ["jurisdiction_id", "unit_id", "created_at"], unique=False
        )

    op.create_table(
        "ledger_import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("debtor_unit_id", sa.Integer(), nullable=True),
        sa.Column("debt_id", sa.Integer(), nullable=True),
        sa.Column("row_key", sa.String(length=500), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("raw", sa.JSON(), nullable=True),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("issues", sa.JSON(), nullable=True),
        *_tenant_columns("ledger_import_rows"),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["ledger_imports.id"],
            name="fk_ledger_import_rows_import_id_ledger_imports",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_import_rows"),
    )
    with op.batch_alter_table("ledger_import_rows", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_import_rows_jurisdiction_id", ["jurisdiction_id"], unique=False)
        batch_op.create_index("ix_ledger_import_rows_unit_id", ["unit_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_import_rows_import_outcome", ["import_id", "outcome", "row_number"], unique=False
        )

    op.create_table(
        "ledger_row_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("row_key", sa.String(length=500), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        *_tenant_columns("ledger_row_keys"),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name="fk_ledger_row_keys_debt_id_debts"),
        sa.ForeignKeyConstraint(
            ["import_id"], ["ledger_imports.id"], name="fk_ledger_row_keys_import_id_ledger_imports"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_row_keys"),
        sa.UniqueConstraint("debt_id", name="uq_ledger_row_keys_debt_id"),
    )
    with op.batch_alter_table("ledger_row_keys", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_row_keys_jurisdiction_id", ["jurisdiction_id"], unique=False)
        batch_op.create_index("ix_ledger_row_keys_unit_id", ["unit_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_row_keys_jurisdiction_key", ["jurisdiction_id", "row_key"], unique=False
        )

    for table in ("ledger_imports", "ledger_import_rows", "ledger_row_keys"):
        rls.enable_tenant_rls(op, table)


def downgrade() -> None:
    # Dropping a table drops its row-level security policies with it.
    op.drop_table("ledger_row_keys")
    op.drop_table("ledger_import_rows")
    op.drop_table("ledger_imports")
