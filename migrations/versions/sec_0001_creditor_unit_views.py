"""creditors: each unit's own view of a creditor, and proposals for the shared fields

Revision ID: sec_0001_creditor_unit_views
Revises: a3c5e7f9b1d4
Create Date: 2026-12-03 22:30:00

A unit that registered a credit code another unit already knew got that unit's whole record (address,
contacts) and could overwrite it. A unit's name-as-entered, contacts and address now live on its
``enterprise_links`` row; changes a unit wants to the shared fields are ``enterprise_proposals`` the office
decides. Existing links stay empty: the unit that registered a creditor reads the shared row as its view
until it changes it (core.services.creditors).
"""

import sqlalchemy as sa
from alembic import op

from core.tenancy import rls

# revision identifiers, used by Alembic.
revision = "sec_0001_creditor_unit_views"
down_revision = "a3c5e7f9b1d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("contacts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)

    op.create_table(
        "enterprise_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_enterprise_proposals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_enterprise_proposals_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["tenant_nodes.id"],
            name=op.f("fk_enterprise_proposals_jurisdiction_id_tenant_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_enterprise_proposals_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["tenant_nodes.id"], name=op.f("fk_enterprise_proposals_unit_id_tenant_nodes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_proposals")),
    )
    with op.batch_alter_table("enterprise_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_proposals_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_proposals_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enterprise_proposals_unit_id"), ["unit_id"], unique=False)
    rls.enable_tenant_rls(op, "enterprise_proposals")


def downgrade():
    rls.disable_tenant_rls(op, "enterprise_proposals")
    with op.batch_alter_table("enterprise_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_proposals_unit_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_proposals_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_proposals_enterprise_id"))
    op.drop_table("enterprise_proposals")
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("contacts")
        batch_op.drop_column("name")
        batch_op.drop_column("version")
