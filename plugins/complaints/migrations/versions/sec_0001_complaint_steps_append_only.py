"""complaint_steps: append-only at the database

Revision ID: sec_0001_complaints_steps
Revises: complaints_0002
Create Date: 2026-12-03 22:40:00

A case's timeline accepted UPDATE and DELETE from the app role. A step may still follow its case to the
unit it is transferred to (``unit_id``); nothing else about it changes.
"""

from alembic import op

from core.models.append_only import drop_append_only, make_append_only

revision = "sec_0001_complaints_steps"
down_revision = "complaints_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    make_append_only(op, "complaint_steps", movable=("unit_id",))


def downgrade() -> None:
    drop_append_only(op, "complaint_steps")
