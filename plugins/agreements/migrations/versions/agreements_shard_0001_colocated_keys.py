"""agreements: tables ready to distribute by jurisdiction (keys with jurisdiction_id, colocated FKs)

Revision ID: agreements_shard_0001
Revises: sec_0001_agreements_steps
Create Date: 2026-12-04 15:00:00

Every clearance table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index;
foreign keys to debts, payments and the plugin's own tables carry jurisdiction_id
(core.tenancy.colocation); one classification per debt and one installment per payment hold it as their
last column.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "agreements_shard_0001"
down_revision = "sec_0001_agreements_steps"
branch_labels = None
# The debts' and payments' (jurisdiction_id, id) keys come with core's shard_0001.
depends_on = "shard_0001"

# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    ("agreements_classifications", {"debt_id": "debts"}),
    # Foreign key names past PostgreSQL's 63 characters: colocate shortens them as op.f did when made.
    ("agreements_dispute_steps", {"classification_id": "agreements_classifications"}),
    ("agreements_agreements", {"debt_id": "debts"}),
    ("agreements_installments", {"agreement_id": "agreements_agreements"}),
    (
        "agreements_installment_payments",
        {"payment_id": "payments", "installment_id": "agreements_installments"},
    ),
]

# Unique constraints that gain jurisdiction_id as their last column: table → (old name, column).
UNIQUE = {
    "agreements_classifications": ("uq_agreements_classifications_debt_id", "debt_id"),
    "agreements_installment_payments": ("uq_agreements_installment_payments_payment_id", "payment_id"),
}


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys)
    for table, (name, column) in UNIQUE.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="unique")
            batch.create_unique_constraint(f"{name}_jurisdiction_id", [column, "jurisdiction_id"])


def downgrade() -> None:
    for table, (name, column) in UNIQUE.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"{name}_jurisdiction_id", type_="unique")
            batch.create_unique_constraint(name, [column])
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys)
