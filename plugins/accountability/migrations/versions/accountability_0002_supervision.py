"""accountability: supervision items (挂牌督办) and their append-only timeline.

Revision ID: accountability_0002
Revises: accountability_0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from core.models.append_only import drop_append_only, make_append_only
from core.tenancy import rls

revision = "accountability_0002"
down_revision = "accountability_0001"
branch_labels = None
depends_on = None

ITEMS = "accountability_supervisions"
STEPS = "accountability_supervision_steps"


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
    ]


def upgrade() -> None:
    op.create_table(
        ITEMS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_label", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("required_actions", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("original_deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposal_key", sa.String(length=120), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("evidence_kind", sa.String(length=20), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("evidence_note", sa.Text(), nullable=True),
        sa.Column("escalated_for", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        *tenant_columns(ITEMS),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f(f"fk_{ITEMS}_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{ITEMS}")),
    )
    with op.batch_alter_table(ITEMS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{ITEMS}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{ITEMS}_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{ITEMS}_status"), ["status"], unique=False)
    rls.enable_tenant_rls(op, ITEMS)

    op.create_table(
        STEPS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervision_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_path", sa.String(length=300), nullable=True),
        sa.Column("file_mime", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        *tenant_columns(STEPS),
        sa.ForeignKeyConstraint(
            ["supervision_id"], [f"{ITEMS}.id"], name=op.f(f"fk_{STEPS}_supervision_id_{ITEMS}")
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f(f"fk_{STEPS}_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{STEPS}")),
    )
    with op.batch_alter_table(STEPS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{STEPS}_supervision_id"), ["supervision_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{STEPS}_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{STEPS}_unit_id"), ["unit_id"], unique=False)
    rls.enable_tenant_rls(op, STEPS)
    make_append_only(op, STEPS)


def downgrade() -> None:
    drop_append_only(op, STEPS)
    op.drop_table(STEPS)
    op.drop_table(ITEMS)
