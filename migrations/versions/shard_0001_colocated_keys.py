"""Core tables ready to distribute by jurisdiction: (jurisdiction_id, id) keys, colocated foreign keys

Revision ID: shard_0001
Revises: onboard_0001
Create Date: 2026-12-04 14:00:00

Every tenant-owned table gets the unique key (jurisdiction_id, id), which replaces its single-column
jurisdiction index; foreign keys between tenant-owned tables carry jurisdiction_id on both sides
(core.tenancy.colocation); the unique keys of creditor links and notifications hold the jurisdiction.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

# revision identifiers, used by Alembic.
revision = "shard_0001"
down_revision = "onboard_0001"
branch_labels = None
depends_on = None

# Parents before children: a colocated foreign key needs its target's key.
TABLES = [
    ("enterprises", {}),
    ("debts", {"creditor_id": "enterprises"}),
    ("payments", {"debt_id": "debts"}),
    ("enterprise_links", {"enterprise_id": "enterprises"}),
    ("enterprise_proposals", {"enterprise_id": "enterprises"}),
    ("jobs", {}),
    ("notifications", {}),
    ("unit_aliases", {}),
    ("plan_versions", {}),
]
# Debts keep their single-column jurisdiction index too (see core/models/debt.py).
KEEPS_INDEX = {"debts"}


def upgrade():
    for table, foreign_keys in TABLES:
        colocate(op, table, foreign_keys, drop_index=table not in KEEPS_INDEX)
    colocate(op, "events", drop_index=False)
    with op.batch_alter_table("enterprise_links") as batch:
        batch.drop_constraint("uq_enterprise_links_enterprise_id_unit_id", type_="unique")
        batch.create_unique_constraint(
            "uq_enterprise_links_enterprise_id_unit_id_jurisdiction_id",
            ["enterprise_id", "unit_id", "jurisdiction_id"],
        )
    op.drop_index("uq_notifications_unit_id_key", table_name="notifications")
    op.create_index(
        "uq_notifications_unit_id_key", "notifications", ["unit_id", "key", "jurisdiction_id"], unique=True
    )


def downgrade():
    op.drop_index("uq_notifications_unit_id_key", table_name="notifications")
    op.create_index("uq_notifications_unit_id_key", "notifications", ["unit_id", "key"], unique=True)
    with op.batch_alter_table("enterprise_links") as batch:
        batch.drop_constraint("uq_enterprise_links_enterprise_id_unit_id_jurisdiction_id", type_="unique")
        batch.create_unique_constraint(
            "uq_enterprise_links_enterprise_id_unit_id", ["enterprise_id", "unit_id"]
        )
    uncolocate(op, "events", drop_index=False)
    for table, foreign_keys in reversed(TABLES):
        uncolocate(op, table, foreign_keys, drop_index=table not in KEEPS_INDEX)
