"""示例插件：新建实地督导记录表 sample_site_visits

Revision ID: 5e1f0a9c3b7d
Revises:
Create Date: 2024-01-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e1f0a9c3b7d"
down_revision = None
branch_labels = ("sample",)
# The plugin's table references core's tenant tree, users and debts, so core's base revision runs first.
depends_on = "3eaae3783907"


def upgrade():
    op.create_table(
        "sample_site_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sample_site_visits_created_by_users")
        ),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name=op.f("fk_sample_site_visits_debt_id_debts")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f("fk_sample_site_visits_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f("fk_sample_site_visits_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_site_visits")),
    )
    with op.batch_alter_table("sample_site_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_site_visits_debt_id"), ["debt_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sample_site_visits_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sample_site_visits_unit_id"), ["unit_id"], unique=False)

    # The second wall: on PostgreSQL even raw SQL sees one jurisdiction's visits only (no-op on SQLite).
    from core.tenancy.rls import enable_tenant_rls

    enable_tenant_rls(op, "sample_site_visits")


def downgrade():
    # Dropping the table drops its row-level security policies with it.
    with op.batch_alter_table("sample_site_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_site_visits_unit_id"))
        batch_op.drop_index(batch_op.f("ix_sample_site_visits_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_sample_site_visits_debt_id"))
    op.drop_table("sample_site_visits")
