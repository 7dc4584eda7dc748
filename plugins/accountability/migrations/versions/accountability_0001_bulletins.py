"""Start the accountability plugin's migration branch: bulletins and the units they are sent to.

Revision ID: accountability_0001
Revises:
Create Date: 2026-12-03

Both tables are tenant-owned (jurisdiction row-level security, no-op on SQLite). An issued bulletin is
frozen at the database too: a trigger refuses UPDATE and DELETE of rows whose status is ``issued``.
"""

import sqlalchemy as sa
from alembic import op

from core.models.append_only import drop_append_only, make_append_only
from core.tenancy import rls

revision = "accountability_0001"
down_revision = None
branch_labels = ("accountability",)
# The tables reference core's tenant tree and users.
depends_on = "cf10c36423bc"

BULLETINS = "accountability_bulletins"
RECIPIENTS = "accountability_bulletin_recipients"
FROZEN = "OLD.status = 'issued'"


def upgrade() -> None:
    op.create_table(
        BULLETINS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("cc", sa.Text(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("recipient_ids", sa.JSON(), nullable=False),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("doc_no", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f(f"fk_{BULLETINS}_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f(f"fk_{BULLETINS}_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{BULLETINS}_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], [f"{BULLETINS}.id"], name=op.f(f"fk_{BULLETINS}_corrects_id_{BULLETINS}")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{BULLETINS}")),
        sa.UniqueConstraint("jurisdiction_id", "year", "seq", name="uq_accountability_bulletins_number"),
    )
    with op.batch_alter_table(BULLETINS, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{BULLETINS}_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
    rls.enable_tenant_rls(op, BULLETINS)
    make_append_only(op, BULLETINS, frozen_when=FROZEN)

    op.create_table(
        RECIPIENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bulletin_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("read_by_id", sa.Integer(), nullable=True),
        sa.Column("read_by_name", sa.String(length=120), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"], [f"{BULLETINS}.id"], name=op.f(f"fk_{RECIPIENTS}_bulletin_id_{BULLETINS}")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f(f"fk_{RECIPIENTS}_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f(f"fk_{RECIPIENTS}_unit_id_tenant_nodes")
        ),
        sa.ForeignKeyConstraint(["read_by_id"], ["users.id"], name=op.f(f"fk_{RECIPIENTS}_read_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{RECIPIENTS}")),
        sa.UniqueConstraint("bulletin_id", "unit_id", name="uq_accountability_bulletin_recipients_unit"),
    )
    with op.batch_alter_table(RECIPIENTS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{RECIPIENTS}_bulletin_id"), ["bulletin_id"], unique=False)
        batch_op.create_index(
            batch_op.f(f"ix_{RECIPIENTS}_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f(f"ix_{RECIPIENTS}_unit_id"), ["unit_id"], unique=False)
    rls.enable_tenant_rls(op, RECIPIENTS)


def downgrade() -> None:
    op.drop_table(RECIPIENTS)
    drop_append_only(op, BULLETINS, frozen_when=FROZEN)
    op.drop_table(BULLETINS)
