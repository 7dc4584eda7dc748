"""Start the wages plugin's migration branch: works projects, their debts, 人社 wage cases, wage-account
payments.

Revision ID: wages_0001
Revises:
Create Date: 2026-12-03

Tenant-owned tables, so each gets the jurisdiction row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "wages_0001"
down_revision = None
branch_labels = ("wages",)
# The tables reference core's tenant tree, enterprises, debts and payments.
depends_on = "cf10c36423bc"

MONEY = sa.Numeric(precision=18, scale=2)


def tenant_columns(table: str) -> list:
    return [
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_jurisdiction_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def timestamps() -> list:
    return [
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
    ]


def tenant_indexes(table: str, *extra: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ("jurisdiction_id", "unit_id", *extra):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
    rls.enable_tenant_rls(op, table)


def upgrade() -> None:
    op.create_table(
        "wage_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("contractor_name", sa.String(length=200), nullable=False),
        sa.Column("contractor_credit_code", sa.String(length=18), nullable=True),
        sa.Column("contractor_id", sa.Integer(), nullable=True),
        sa.Column("contract_no", sa.String(length=120), nullable=True),
        sa.Column("wage_bank", sa.String(length=120), nullable=True),
        sa.Column("wage_account_masked", sa.String(length=40), nullable=True),
        sa.Column("labour_share_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("labour_share_amount", MONEY, nullable=True),
        sa.Column("wage_deposit", MONEY, nullable=False),
        sa.Column("workforce", sa.Integer(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["contractor_id"], ["enterprises.id"], name=op.f("fk_wage_projects_contractor_id_enterprises")
        ),
        *tenant_columns("wage_projects"),
    )
    tenant_indexes("wage_projects")

    op.create_table(
        "wage_project_debts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wage_projects.id"], name=op.f("fk_wage_project_debts_project_id_wage_projects")
        ),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name=op.f("fk_wage_project_debts_debt_id_debts")),
        sa.UniqueConstraint("debt_id", name="uq_wage_project_debts_debt"),
        *tenant_columns("wage_project_debts"),
    )
    tenant_indexes("wage_project_debts", "project_id")

    op.create_table(
        "wage_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=80), nullable=False),
        sa.Column("project_text", sa.String(length=300), nullable=False),
        sa.Column("contractor_name", sa.String(length=200), nullable=False),
        sa.Column("contractor_credit_code", sa.String(length=18), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("amount_owed", MONEY, nullable=False),
        sa.Column("period", sa.String(length=100), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("match_note", sa.Text(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("debt_id", sa.Integer(), nullable=True),
        sa.Column("cleared_on", sa.Date(), nullable=True),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["project_id"], ["wage_projects.id"], name=op.f("fk_wage_cases_project_id_wage_projects")
        ),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name=op.f("fk_wage_cases_debt_id_debts")),
        sa.UniqueConstraint("jurisdiction_id", "case_no", name="uq_wage_cases_case_no"),
        *tenant_columns("wage_cases"),
    )
    tenant_indexes("wage_cases")

    op.create_table(
        "wage_account_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_wage_account", MONEY, nullable=False),
        sa.Column("labour_share_due", MONEY, nullable=False),
        *timestamps(),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["wage_projects.id"],
            name=op.f("fk_wage_account_payments_project_id_wage_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_wage_account_payments_payment_id_payments")
        ),
        sa.UniqueConstraint("payment_id", name="uq_wage_account_payments_payment"),
        *tenant_columns("wage_account_payments"),
    )
    tenant_indexes("wage_account_payments", "project_id")


def downgrade() -> None:
    for table in ("wage_account_payments", "wage_cases", "wage_project_debts", "wage_projects"):
        op.drop_table(table)
