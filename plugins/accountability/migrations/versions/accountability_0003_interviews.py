"""accountability: interviews (专项约谈) and their commitments.

Revision ID: accountability_0003
Revises: accountability_0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0003"
down_revision = "accountability_0002"
branch_labels = None
depends_on = None

INTERVIEWS = "accountability_interviews"
COMMITMENTS = "accountability_commitments"


def tenant_columns(table: str) -> list:
    return [
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def indexes(table: str, *extra: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ("jurisdiction_id", "unit_id", *extra):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        INTERVIEWS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_name", sa.String(length=120), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{INTERVIEWS}_created_by_id_users")
        ),
        *tenant_columns(INTERVIEWS),
    )
    indexes(INTERVIEWS)
    rls.enable_tenant_rls(op, INTERVIEWS)
    op.create_table(
        COMMITMENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("escalated_for", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"], [f"{INTERVIEWS}.id"], name=op.f(f"fk_{COMMITMENTS}_interview_id_{INTERVIEWS}")
        ),
        *tenant_columns(COMMITMENTS),
    )
    indexes(COMMITMENTS, "interview_id")
    rls.enable_tenant_rls(op, COMMITMENTS)


def downgrade() -> None:
    op.drop_table(COMMITMENTS)
    op.drop_table(INTERVIEWS)
