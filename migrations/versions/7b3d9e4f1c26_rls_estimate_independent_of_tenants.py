"""row-level security: a row estimate that does not shrink as tenants are added

Revision ID: 7b3d9e4f1c26
Revises: 5c2e8b1f7a90
Create Date: 2026-11-26 19:50:00

The isolation policy's "jurisdiction_id = ANY(setting)" made PostgreSQL expect fewer rows of the big
jurisdiction the more jurisdictions the database held, until a unit user's debt count switched to a slower
plan (benchmarks, tenant scaling: 2× at 1,000 tenants). The same test now sits inside COALESCE(…, false):
same rows visible, same rows writable, a fixed estimate. Plugin tables that have the policy are re-created.
"""

from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "7b3d9e4f1c26"
down_revision = "5c2e8b1f7a90"
branch_labels = None
depends_on = None


def upgrade():
    rls.replace_tenant_predicate(op, rls.TENANT_PREDICATE)


def downgrade():
    rls.replace_tenant_predicate(op, rls.INITPLAN_TENANT_PREDICATE)
