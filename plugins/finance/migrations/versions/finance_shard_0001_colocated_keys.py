"""finance: ready to distribute by jurisdiction (colocated keys, codes unique per jurisdiction)

Revision ID: finance_shard_0001
Revises: finance_0003_attachments
Create Date: 2026-12-04 16:00:00

Every table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index; the foreign keys
to requests and debts carry jurisdiction_id (core.tenancy.colocation). The tracking and verification codes
are unique within their jurisdiction: the public status and verification pages are per jurisdiction and
name it.
"""

from alembic import op

from core.tenancy.colocation import DISTRIBUTION_COLUMN, colocate, uncolocate

revision = "finance_shard_0001"
down_revision = "finance_0003_attachments"
branch_labels = None
# The debts' (jurisdiction_id, id) key the requests point at comes with core's shard_0001.
depends_on = "shard_0001"

REQUESTS = "finance_confirmations"
# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    (REQUESTS, {"debt_id": "debts"}),
    ("finance_referrals", {"confirmation_id": REQUESTS}),
    # Their keys' names pass PostgreSQL's 63 characters; colocate shortens them as op.f did when made.
    ("finance_confirmation_steps", {"confirmation_id": REQUESTS}),
    ("finance_confirmation_attachments", {"confirmation_id": REQUESTS}),
]
CODES = ["tracking_code", "verification_code"]


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys)
    with op.batch_alter_table(REQUESTS) as batch:  # constraints: SQLite rebuilds the table
        for code in CODES:
            batch.drop_constraint(f"uq_{REQUESTS}_{code}", type_="unique")
            batch.create_unique_constraint(
                f"uq_{REQUESTS}_{code}_{DISTRIBUTION_COLUMN}", [code, DISTRIBUTION_COLUMN]
            )


def downgrade() -> None:
    with op.batch_alter_table(REQUESTS) as batch:
        for code in CODES:
            batch.drop_constraint(f"uq_{REQUESTS}_{code}_{DISTRIBUTION_COLUMN}", type_="unique")
            batch.create_unique_constraint(f"uq_{REQUESTS}_{code}", [code])
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys)
