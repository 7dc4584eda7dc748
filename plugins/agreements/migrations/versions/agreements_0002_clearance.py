"""agreements: classifications, dispute steps, agreements, installments, installment payments

Revision ID: agreements_0002_clearance
Revises: agreements_0001
Create Date: 2026-11-26

Every table is tenant-owned, so each gets the jurisdiction row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "agreements_0002_clearance"
down_revision = "agreements_0001"
branch_labels = None
depends_on = None

TABLES = (
    "agreements_installment_payments",
    "agreements_installments",
    "agreements_agreements",
    "agreements_dispute_steps",
    "agreements_classifications",
)
MONEY = sa.Numeric(18, 2)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref_table}"))


def _tenant(table: str) -> list:
    return [
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _fk(table, "jurisdiction_id", "tenant_nodes.id"),
        _fk(table, "unit_id", "tenant_nodes.id"),
    ]


def _stamps() -> list:
    return [
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
    ]


def _indexes(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in [*columns, "jurisdiction_id", "unit_id"]:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    t = "agreements_classifications"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("debt_class", sa.String(length=20), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("pay_by", sa.Date(), nullable=True),
        sa.Column("agreement_by", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        *_tenant(t),
        _fk(t, "debt_id", "debts.id"),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("debt_id", name="uq_agreements_classifications_debt_id"),
    )
    _indexes(t, ["debt_id"])

    t = "agreements_dispute_steps"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("classification_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_tenant(t),
        _fk(t, "classification_id", "agreements_classifications.id"),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["classification_id"])

    t = "agreements_agreements"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("debtor_party", sa.String(length=200), nullable=False),
        sa.Column("creditor_party", sa.String(length=200), nullable=False),
        sa.Column("agreed_amount", MONEY, nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("planned_method", sa.String(length=30), nullable=False),
        sa.Column("term_extension_flag", sa.Boolean(), nullable=False),
        sa.Column("late_reason", sa.Text(), nullable=True),
        sa.Column("scan_name", sa.String(length=200), nullable=True),
        sa.Column("scan_path", sa.String(length=300), nullable=True),
        sa.Column("scan_mime", sa.String(length=50), nullable=True),
        sa.Column("scan_size", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_stamps(),
        *_tenant(t),
        _fk(t, "debt_id", "debts.id"),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["debt_id"])

    t = "agreements_installments"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("paid_amount", MONEY, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_stamps(),
        *_tenant(t),
        _fk(t, "agreement_id", "agreements_agreements.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["agreement_id"])

    t = "agreements_installment_payments"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installment_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        *_tenant(t),
        _fk(t, "installment_id", "agreements_installments.id"),
        _fk(t, "payment_id", "payments.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("payment_id", name="uq_agreements_installment_payments_payment_id"),
    )
    _indexes(t, ["installment_id", "payment_id"])

    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    # Dropping a table drops its row-level security policy with it.
    for table in TABLES:
        op.drop_table(table)
