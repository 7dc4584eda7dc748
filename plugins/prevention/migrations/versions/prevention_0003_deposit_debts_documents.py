"""prevention: overdue deposits become debts; contract documents uploaded for review

Revision ID: prevention_0003_deposit_debts
Revises: prevention_0002_budget
Create Date: 2026-12-04

A deposit not returned on time becomes an arrears debt (条例第十三条): the deposit keeps the debt it became
and the day, and the creditor's credit code so the debt finds the right creditor. A review may hold the
contract's .docx or .pdf. The new table is tenant-owned and gets the row-level security policy.
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "prevention_0003_deposit_debts"
down_revision = "prevention_0002_budget"
branch_labels = None
depends_on = None

DOCUMENTS = "prevention_review_documents"


def upgrade() -> None:
    with op.batch_alter_table("prevention_deposits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("debt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("converted_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_prevention_deposits_debt_id_debts"), "debts", ["debt_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_prevention_deposits_debt_id"), ["debt_id"], unique=False)

    op.create_table(
        DOCUMENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["prevention_reviews.id"],
            name=op.f(f"fk_{DOCUMENTS}_review_id_prevention_reviews"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f(f"fk_{DOCUMENTS}_uploaded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f(f"fk_{DOCUMENTS}_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{DOCUMENTS}_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{DOCUMENTS}")),
    )
    with op.batch_alter_table(DOCUMENTS, schema=None) as batch_op:
        for column in ("review_id", "jurisdiction_id", "unit_id"):
            batch_op.create_index(batch_op.f(f"ix_{DOCUMENTS}_{column}"), [column], unique=False)
    rls.enable_tenant_rls(op, DOCUMENTS)


def downgrade() -> None:
    op.drop_table(DOCUMENTS)
    with op.batch_alter_table("prevention_deposits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prevention_deposits_debt_id"))
        batch_op.drop_constraint(batch_op.f("fk_prevention_deposits_debt_id_debts"), type_="foreignkey")
        batch_op.drop_column("converted_on")
        batch_op.drop_column("debt_id")
        batch_op.drop_column("credit_code")
