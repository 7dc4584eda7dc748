"""wages: tables ready to distribute by jurisdiction — (jurisdiction_id, id) keys, colocated foreign keys,
unique keys that hold the jurisdiction.

Revision ID: wages_shard_0001
Revises: wages_0002_project_version
Create Date: 2026-12-04 15:00:00

Every table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index; the foreign keys
to projects, enterprises, debts and payments carry jurisdiction_id on both sides (core.tenancy.colocation);
a debt's project link and a payment's wage-account row stay unique, with the jurisdiction held last.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "wages_shard_0001"
down_revision = "wages_0002_project_version"
branch_labels = None
# The enterprises', debts' and payments' (jurisdiction_id, id) keys come with core's shard_0001.
depends_on = "shard_0001"

# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    ("wage_projects", {"contractor_id": "enterprises"}),
    ("wage_project_debts", {"project_id": "wage_projects", "debt_id": "debts"}),
    ("wage_cases", {"project_id": "wage_projects", "debt_id": "debts"}),
    ("wage_account_payments", {"project_id": "wage_projects", "payment_id": "payments"}),
]

# Unique keys on a global id: same meaning with jurisdiction_id held last, and still serve the lookups.
UNIQUE = [
    ("wage_project_debts", "uq_wage_project_debts_debt", "debt_id"),
    ("wage_account_payments", "uq_wage_account_payments_payment", "payment_id"),
]


def _unique_keys(*, with_jurisdiction: bool) -> None:
    for table, name, column in UNIQUE:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="unique")
            batch.create_unique_constraint(
                name, [column, "jurisdiction_id"] if with_jurisdiction else [column]
            )


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys)
    _unique_keys(with_jurisdiction=True)


def downgrade() -> None:
    _unique_keys(with_jurisdiction=False)
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys)
