"""server-side login sessions

Revision ID: rls_0001_user_sessions
Revises: sec_0002_rate_limit_counters
Create Date: 2026-12-03 22:40:00

The login cookie carried the user id and part of the password hash, and stayed valid for eight hours
after logout. It now carries only the random id of a ``user_sessions`` row; logout, a password change
and a deactivation delete the rows, which ends those sessions at once.
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "rls_0001_user_sessions"
down_revision = "sec_0002_rate_limit_counters"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_sessions_expires_at"), ["expires_at"], unique=False)
    rls.grant_app_role(op, "user_sessions")


def downgrade():
    op.drop_table("user_sessions")
