"""ledger: preview rows and row keys drop the tenant foreign keys and indexes bulk writes paid for

Revision ID: ledger_0004
Revises: ledger_0003
Create Date: 2026-11-26

A preview row's jurisdiction and unit are its import's, a row key's are its debt's: the database checked
them on that parent row (import_id and debt_id keep their foreign keys). The rows are read by import or
by (jurisdiction, row key), never by a tenant column alone. A 100,000-row import wrote 200,000 preview
rows and row keys, each paying two foreign-key lookups (0.9 s per key per 100,000 rows) and two index
entries.
"""

from alembic import op

revision = "ledger_0004"
down_revision = "ledger_0003"
branch_labels = None
depends_on = None

TABLES = ("ledger_import_rows", "ledger_row_keys")
COLUMNS = ("jurisdiction_id", "unit_id")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_index(f"ix_{table}_{column}")
                batch_op.drop_constraint(f"fk_{table}_{column}_tenant_nodes", type_="foreignkey")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.create_foreign_key(
                    f"fk_{table}_{column}_tenant_nodes", "tenant_nodes", [column], ["id"]
                )
                batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)
