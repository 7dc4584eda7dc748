"""disclosure: the reports table ready to distribute by jurisdiction

Revision ID: disclosure_shard_0001
Revises: disclosure_0001
Create Date: 2026-12-04 15:00:00

disclosure_reports gets the unique key (jurisdiction_id, id) in place of its jurisdiction index
(core.tenancy.colocation); its one-report-per-year key already holds the jurisdiction.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "disclosure_shard_0001"
down_revision = "disclosure_0001"
branch_labels = None
# Applied with core's own step, so every tenant table of a database follows the same rules.
depends_on = "shard_0001"

TABLE = "disclosure_reports"


def upgrade() -> None:
    colocate(op, TABLE)


def downgrade() -> None:
    uncolocate(op, TABLE)
