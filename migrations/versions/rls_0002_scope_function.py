"""row-level security the application cannot switch off

Revision ID: rls_0002_scope_function
Revises: rls_0001_user_sessions
Create Date: 2026-12-03 23:00:00

The policies read ``qingqian.all`` and ``qingqian.jurisdiction_ids``, ordinary settings any role may
set: ``SELECT set_config('qingqian.all', 'on', false)`` as the app role showed every jurisdiction. They
now read the transaction's scope from ``qingqian_rls_scope``, which only the SECURITY DEFINER function
``qingqian_set_scope`` writes: it refuses "every jurisdiction" unless the session logged in as the owner
or the maintenance role, and refuses to move a transaction to a second jurisdiction. Same rows visible
for the same scope; the maintenance role is created if missing (NOLOGIN until an administrator says).
"""

from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "rls_0002_scope_function"
down_revision = "rls_0001_user_sessions"
branch_labels = None
depends_on = None


def upgrade():
    rls.ensure_maintenance_role(op)
    rls.install_scope_functions(op)


def downgrade():
    rls.drop_scope_functions(op)
