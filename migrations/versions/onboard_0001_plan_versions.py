"""plan_versions (a hosted jurisdiction's plan history) and password_set_tokens (one-time links)

Revision ID: onboard_0001
Revises: office_0001
"""

import sqlalchemy as sa
from alembic import op

from core.models.append_only import drop_append_only, make_append_only
from core.tenancy import rls

revision = "onboard_0001"
down_revision = "office_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plan_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f("fk_plan_versions_jurisdiction_id_tenant_nodes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("jurisdiction_id", "number", name="uq_plan_versions_jurisdiction_id_number"),
    )
    op.create_index(op.f("ix_plan_versions_jurisdiction_id"), "plan_versions", ["jurisdiction_id"])
    rls.enable_tenant_rls(op, "plan_versions")
    make_append_only(op, "plan_versions")

    op.create_table(
        "password_set_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_set_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_set_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_set_tokens_token_hash")),
    )
    op.create_index(op.f("ix_password_set_tokens_user_id"), "password_set_tokens", ["user_id"])
    # Not tenant-owned (a user, like user_sessions): the app role only needs to read and write it.
    rls.grant_app_role(op, "password_set_tokens")


def downgrade():
    op.drop_index(op.f("ix_password_set_tokens_user_id"), table_name="password_set_tokens")
    op.drop_table("password_set_tokens")
    drop_append_only(op, "plan_versions")
    op.drop_index(op.f("ix_plan_versions_jurisdiction_id"), table_name="plan_versions")
    op.drop_table("plan_versions")
