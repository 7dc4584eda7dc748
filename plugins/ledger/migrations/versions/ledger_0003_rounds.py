"""ledger: reporting rounds, round units, submissions (snapshots) and concealment flags

Revision ID: ledger_0003
Revises: ledger_0002
Create Date: 2026-11-26

Every table is tenant-owned, so each gets the jurisdiction row-level security policy (no-op on SQLite).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "ledger_0003"
down_revision = "ledger_0002"
branch_labels = None
depends_on = None

TABLES = ("ledger_flags", "ledger_submissions", "ledger_round_units", "ledger_rounds")


def _tenant_columns(table: str, unit: bool = True) -> list:
    cols = [
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_jurisdiction_id_tenant_nodes")
        ),
    ]
    if unit:
        cols += [
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{table}_unit_id_tenant_nodes")
            ),
        ]
    return cols


def _indexes(table: str, columns: list[str], unit: bool = True) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in [*columns, "jurisdiction_id", *(["unit_id"] if unit else [])]:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    op.create_table(
        "ledger_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        *_tenant_columns("ledger_rounds", unit=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["tenant_nodes.id"], name=op.f("fk_ledger_rounds_office_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_ledger_rounds_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_rounds")),
    )
    _indexes("ledger_rounds", ["office_id"], unit=False)

    op.create_table(
        "ledger_round_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        *_tenant_columns("ledger_round_units"),
        sa.ForeignKeyConstraint(
            ["round_id"], ["ledger_rounds.id"], name=op.f("fk_ledger_round_units_round_id_ledger_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_round_units")),
    )
    _indexes("ledger_round_units", ["round_id"])
    with op.batch_alter_table("ledger_round_units", schema=None) as batch_op:
        batch_op.create_index("uq_ledger_round_units_round_unit", ["round_id", "unit_id"], unique=True)

    op.create_table(
        "ledger_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("zero", sa.Boolean(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("total_owed", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("total_paid", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("total_outstanding", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=120), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_name", sa.String(length=120), nullable=True),
        sa.Column("signoff_comment", sa.Text(), nullable=True),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        *_tenant_columns("ledger_submissions"),
        sa.ForeignKeyConstraint(
            ["round_id"], ["ledger_rounds.id"], name=op.f("fk_ledger_submissions_round_id_ledger_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_ledger_submissions_submitted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_ledger_submissions_signed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["reopened_by_id"], ["users.id"], name=op.f("fk_ledger_submissions_reopened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_submissions")),
    )
    _indexes("ledger_submissions", ["round_id"])
    with op.batch_alter_table("ledger_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_submissions_round_unit", ["round_id", "unit_id", "status"], unique=False
        )
        # One live submission per unit and round (the lock, also under concurrent requests).
        batch_op.create_index(
            "uq_ledger_submissions_live",
            ["round_id", "unit_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'reopened'"),
            postgresql_where=sa.text("status <> 'reopened'"),
        )

    op.create_table(
        "ledger_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("debt_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_name", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        *_tenant_columns("ledger_flags"),
        sa.ForeignKeyConstraint(
            ["round_id"], ["ledger_rounds.id"], name=op.f("fk_ledger_flags_round_id_ledger_rounds")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["ledger_submissions.id"],
            name=op.f("fk_ledger_flags_submission_id_ledger_submissions"),
        ),
        sa.ForeignKeyConstraint(["debt_id"], ["debts.id"], name=op.f("fk_ledger_flags_debt_id_debts")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_ledger_flags_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_flags")),
    )
    _indexes("ledger_flags", ["round_id", "submission_id", "debt_id", "status"])
    with op.batch_alter_table("ledger_flags", schema=None) as batch_op:
        batch_op.create_index("uq_ledger_flags_round_kind_debt", ["round_id", "kind", "debt_id"], unique=True)

    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    # Dropping a table drops its row-level security policy with it.
    for table in TABLES:
        op.drop_table(table)
