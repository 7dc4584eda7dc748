"""accountability: typical cases (典型案例) and 失信 referral proposals.

Revision ID: accountability_0007
Revises: accountability_0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "accountability_0007"
down_revision = "accountability_0006"
branch_labels = None
depends_on = None

CASES = "accountability_cases"
CREDIT = "accountability_credit_referrals"


def common(table: str) -> list:
    return [
        sa.Column("created_by_id", sa.Integer(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{table}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def indexes(table: str, *extra: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ("jurisdiction_id", "unit_id", *extra):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        CASES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("lesson", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f(f"fk_{CASES}_approved_by_id_users")
        ),
        *common(CASES),
    )
    indexes(CASES, "status")
    rls.enable_tenant_rls(op, CASES)
    op.create_table(
        CREDIT,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decision_no", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        *common(CREDIT),
    )
    indexes(CREDIT)
    rls.enable_tenant_rls(op, CREDIT)


def downgrade() -> None:
    op.drop_table(CREDIT)
    op.drop_table(CASES)
