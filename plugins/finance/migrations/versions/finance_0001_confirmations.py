"""Start the finance plugin's migration branch: receivable confirmations, their timeline, referrals.

Revision ID: finance_0001
Revises:
Create Date: 2026-12-03

All three tables are tenant-owned (jurisdiction row-level security, no-op on SQLite); the timeline is history,
append-only at the database.
"""

import sqlalchemy as sa
from alembic import op

from core.models.append_only import drop_append_only, make_append_only
from core.tenancy import rls

revision = "finance_0001"
down_revision = None
branch_labels = ("finance",)
# The tables reference core's tenant tree and users.
depends_on = "cf10c36423bc"

REQUESTS = "finance_confirmations"
STEPS = "finance_confirmation_steps"
REFERRALS = "finance_referrals"


def _tenant_columns(table: str) -> list:
    return [
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_unit_id_tenant_nodes")
        ),
    ]


def _tenant_indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{table}_unit_id"), ["unit_id"], unique=False)


def upgrade() -> None:
    money = sa.Numeric(precision=18, scale=2)
    op.create_table(
        REQUESTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("creditor_name", sa.String(length=200), nullable=False),
        sa.Column("creditor_code", sa.String(length=18), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=False),
        sa.Column("contact_phone", sa.String(length=30), nullable=False),
        sa.Column("contract_no", sa.String(length=120), nullable=False),
        sa.Column("contract_name", sa.String(length=300), nullable=True),
        sa.Column("invoice_numbers", sa.Text(), nullable=True),
        sa.Column("amount", money, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("confirmed_amount", money, nullable=True),
        sa.Column("payment_due_date", sa.Date(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contract_clause", sa.String(length=500), nullable=True),
        sa.Column("confirmation_no", sa.String(length=40), nullable=True),
        sa.Column("debtor_code", sa.String(length=18), nullable=True),
        sa.Column("verification_code", sa.String(length=20), nullable=True),
        sa.Column("consent", sa.String(length=20), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        *_tenant_columns(REQUESTS),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f(f"fk_{REQUESTS}_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{REQUESTS}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{REQUESTS}")),
        sa.UniqueConstraint("tracking_code", name="uq_finance_confirmations_tracking_code"),
        sa.UniqueConstraint("verification_code", name="uq_finance_confirmations_verification_code"),
    )
    _tenant_indexes(REQUESTS)
    with op.batch_alter_table(REQUESTS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{REQUESTS}_status"), ["status"], unique=False)
    rls.enable_tenant_rls(op, REQUESTS)

    op.create_table(
        STEPS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_tenant_columns(STEPS),
        sa.ForeignKeyConstraint(
            ["confirmation_id"], [f"{REQUESTS}.id"], name=op.f(f"fk_{STEPS}_confirmation_id_{REQUESTS}")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f(f"fk_{STEPS}_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{STEPS}")),
    )
    _tenant_indexes(STEPS)
    with op.batch_alter_table(STEPS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{STEPS}_confirmation_id"), ["confirmation_id"], unique=False)
    rls.enable_tenant_rls(op, STEPS)
    make_append_only(op, STEPS)

    op.create_table(
        REFERRALS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=60), nullable=False),
        sa.Column("partner_name", sa.String(length=200), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=True),
        sa.Column("financed_amount", money, nullable=True),
        sa.Column("annual_rate", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("financed_on", sa.Date(), nullable=True),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        *_tenant_columns(REFERRALS),
        sa.ForeignKeyConstraint(
            ["confirmation_id"], [f"{REQUESTS}.id"], name=op.f(f"fk_{REFERRALS}_confirmation_id_{REQUESTS}")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{REFERRALS}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{REFERRALS}")),
    )
    _tenant_indexes(REFERRALS)
    with op.batch_alter_table(REFERRALS, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{REFERRALS}_confirmation_id"), ["confirmation_id"], unique=False
        )
    rls.enable_tenant_rls(op, REFERRALS)


def downgrade() -> None:
    op.drop_table(REFERRALS)
    drop_append_only(op, STEPS)
    op.drop_table(STEPS)
    op.drop_table(REQUESTS)
