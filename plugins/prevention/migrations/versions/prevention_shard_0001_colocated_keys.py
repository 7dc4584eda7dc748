"""prevention: ready to distribute by jurisdiction (colocated keys)

Revision ID: prevention_shard_0001
Revises: prevention_0003_deposit_debts
Create Date: 2026-12-04 16:00:00

Every table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index; the foreign keys
to projects, reviews and debts carry jurisdiction_id (core.tenancy.colocation), and so does the one
arrangement per debt and year.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "prevention_shard_0001"
down_revision = "prevention_0003_deposit_debts"
branch_labels = None
# The debts' (jurisdiction_id, id) key the deposits and arrangements point at comes with core's shard_0001.
depends_on = "shard_0001"

# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    ("prevention_projects", {}),
    ("prevention_funding_sources", {"project_id": "prevention_projects"}),
    ("prevention_reviews", {"project_id": "prevention_projects"}),
    ("prevention_review_decisions", {"review_id": "prevention_reviews"}),
    ("prevention_review_documents", {"review_id": "prevention_reviews"}),
    (
        "prevention_deposits",
        {"review_id": "prevention_reviews", "project_id": "prevention_projects", "debt_id": "debts"},
    ),
    ("prevention_budget_arrangements", {"debt_id": "debts"}),
]
ARRANGEMENTS = "prevention_budget_arrangements"
PER_YEAR = ("uq_prevention_budget_arrangements_debt_year", ["debt_id", "year"])
PER_YEAR_NEW = (
    "uq_prevention_budget_arrangements_debt_year_jurisdiction_id",
    ["debt_id", "year", "jurisdiction_id"],
)


def _swap_unique(old: tuple[str, list[str]], new: tuple[str, list[str]]) -> None:
    with op.batch_alter_table(ARRANGEMENTS) as batch:  # a constraint: SQLite rebuilds the table
        batch.drop_constraint(old[0], type_="unique")
        batch.create_unique_constraint(*new)


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys)
    _swap_unique(PER_YEAR, PER_YEAR_NEW)


def downgrade() -> None:
    _swap_unique(PER_YEAR_NEW, PER_YEAR)
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys)
