"""row-level security reads its settings once per query

Revision ID: 9d41c7e2a5b8
Revises: cf10c36423bc
Create Date: 2026-11-26 17:10:00

The isolation policy parsed ``qingqian.jurisdiction_ids`` for every row it checked; a jurisdiction-wide
aggregate over 600,000 debts took twice as long under the app role as without it (benchmarks, isolation
scenario). The settings now sit in scalar sub-selects, which PostgreSQL evaluates once per query.
Same rows visible, same rows writable. Plugin tables that already have the policy are re-created too.
"""

from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "9d41c7e2a5b8"
down_revision = "cf10c36423bc"
branch_labels = None
depends_on = None


def upgrade():
    rls.replace_tenant_predicate(op, rls.TENANT_PREDICATE)


def downgrade():
    rls.replace_tenant_predicate(op, rls.PER_ROW_TENANT_PREDICATE)
