"""Start the prevention plugin's branch: projects, funding sources, contract reviews, decisions, deposits.

Revision ID: prevention_0001
Revises:
Create Date: 2026-12-03

Every table is tenant-owned, so each gets the jurisdiction row-level security policy (no-op on SQLite);
the review decision log is append-only at the database.
"""

import sqlalchemy as sa
from alembic import op

from core.models.append_only import make_append_only
from core.tenancy import rls

revision = "prevention_0001"
down_revision = None
branch_labels = ("prevention",)
# The tables reference core's tenant tree and users.
depends_on = "cf10c36423bc"

TABLES = (
    "prevention_deposits",
    "prevention_review_decisions",
    "prevention_reviews",
    "prevention_funding_sources",
    "prevention_projects",
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
    ]


def _indexes(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in [*columns, "jurisdiction_id", "unit_id"]:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    t = "prevention_projects"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("approval_doc", sa.String(length=200), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("budget", MONEY, nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("actual_start", sa.Date(), nullable=True),
        sa.Column("start_violations", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_tenant(t),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, [])

    t = "prevention_funding_sources"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("secured", sa.Boolean(), nullable=False),
        *_tenant(t),
        _fk(t, "project_id", "prevention_projects.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["project_id"])

    t = "prevention_reviews"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("counterparty_size", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("contract_amount", MONEY, nullable=True),
        sa.Column("contract_date", sa.Date(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("rule_set", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("problems_found", sa.Integer(), nullable=False),
        sa.Column("problems_fixed", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("contract_no", sa.String(length=100), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_tenant(t),
        _fk(t, "project_id", "prevention_projects.id"),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["project_id", "contract_no"])

    t = "prevention_review_decisions"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("fixed", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("clean", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_tenant(t),
        _fk(t, "review_id", "prevention_reviews.id"),
        _fk(t, "actor_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["review_id"])
    make_append_only(op, t)

    t = "prevention_deposits"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("contract_no", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_back_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        *_tenant(t),
        _fk(t, "review_id", "prevention_reviews.id"),
        _fk(t, "project_id", "prevention_projects.id"),
        _fk(t, "created_by_id", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    _indexes(t, ["review_id", "project_id"])

    for table in reversed(TABLES):
        rls.enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
