"""Complaints, attachments, timeline steps, links to debts and confidential notes.

Revision ID: complaints_0002
Revises: complaints_0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

revision = "complaints_0002"
down_revision = "complaints_0001"
branch_labels = None
depends_on = None

TABLES = (
    "complaints",
    "complaint_attachments",
    "complaint_steps",
    "complaint_debt_links",
    "complaint_confidential_notes",
)


def _owned() -> list:
    return [
        sa.Column(
            "jurisdiction_id", sa.Integer(), sa.ForeignKey("tenant_nodes.id"), nullable=False, index=True
        ),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("tenant_nodes.id"), nullable=False, index=True),
    ]


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("tracking_code", sa.String(16), nullable=False, unique=True),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("source_ref", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("creditor_name", sa.String(200), nullable=False),
        sa.Column("creditor_code", sa.String(18), nullable=False),
        sa.Column("creditor_size", sa.String(10), nullable=False),
        sa.Column("contact_name", sa.String(100), nullable=False),
        sa.Column("contact_phone", sa.String(30), nullable=False),
        sa.Column("debtor_text", sa.String(200), nullable=False),
        sa.Column("debtor_unit_id", sa.Integer(), sa.ForeignKey("tenant_nodes.id")),
        sa.Column("contract_no", sa.String(120)),
        sa.Column("contract_name", sa.String(300)),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("transfer_due", sa.Date(), nullable=False),
        sa.Column("transferred_on", sa.Date()),
        sa.Column("result_due", sa.Date()),
        sa.Column("extended_reason", sa.Text()),
        sa.Column("out_of_scope_reason", sa.String(40)),
        sa.Column("triage_note", sa.Text()),
        sa.Column("outcome", sa.String(20)),
        sa.Column("outcome_detail", sa.Text()),
        sa.Column("dispute_route", sa.String(20)),
        sa.Column("payment_deadline", sa.Date()),
        sa.Column("result_text", sa.Text()),
        sa.Column("answered_on", sa.Date()),
        sa.Column("closed_on", sa.Date()),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_complaints_scope_status", "complaints", ["jurisdiction_id", "unit_id", "status"])
    op.create_index("ix_complaints_dupes", "complaints", ["jurisdiction_id", "creditor_code"])
    op.create_table(
        "complaint_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=False, index=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "complaint_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("actor_name", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False, index=True),
    )
    op.create_table(
        "complaint_debt_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=False, index=True),
        sa.Column("debt_id", sa.Integer(), sa.ForeignKey("debts.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("complaint_id", "debt_id"),
    )
    op.create_table(
        "complaint_confidential_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"), nullable=False, index=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
