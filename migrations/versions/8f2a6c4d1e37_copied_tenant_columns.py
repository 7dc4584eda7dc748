"""events and enterprise links: drop the foreign keys and indexes bulk writes paid for and no query uses

Revision ID: 8f2a6c4d1e37
Revises: 4e6b1a8c3d52
Create Date: 2026-11-26 23:30:00

An event's jurisdiction and unit are copies of the recorded row's, which the database checked when that
row was written; events are read by entity (ix_events_entity), never by tenant column or time alone.
Each foreign key cost a lookup per event (0.9 s per key per 100,000 events of a ledger import) and each
index an entry. ix_enterprise_links_enterprise_id is the leading column of the unique
(enterprise_id, unit_id) index.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8f2a6c4d1e37"
down_revision = "4e6b1a8c3d52"
branch_labels = None
depends_on = None

EVENT_INDEXES = {
    "ix_events_at": ["at"],
    "ix_events_jurisdiction_id": ["jurisdiction_id"],
    "ix_events_unit_id": ["unit_id"],
}
EVENT_KEYS = ("jurisdiction_id", "unit_id")


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name in EVENT_INDEXES:
            batch_op.drop_index(name)
        for column in EVENT_KEYS:
            batch_op.drop_constraint(f"fk_events_{column}_tenant_nodes", type_="foreignkey")
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_links_enterprise_id")


def downgrade():
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_links_enterprise_id", ["enterprise_id"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        for column in EVENT_KEYS:
            batch_op.create_foreign_key(f"fk_events_{column}_tenant_nodes", "tenant_nodes", [column], ["id"])
        for name, columns in EVENT_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
