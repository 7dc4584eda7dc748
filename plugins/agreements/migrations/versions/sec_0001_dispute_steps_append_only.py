"""agreements_dispute_steps: append-only at the database

Revision ID: sec_0001_agreements_steps
Revises: agreements_0002_clearance
Create Date: 2026-12-03 22:40:00

A disputed debt's track (negotiation, mediation, arbitration, litigation) is a timeline: a later
development is a new step, never an edit of an old one.
"""

from alembic import op

from core.models.append_only import drop_append_only, make_append_only

revision = "sec_0001_agreements_steps"
down_revision = "agreements_0002_clearance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    make_append_only(op, "agreements_dispute_steps")


def downgrade() -> None:
    drop_append_only(op, "agreements_dispute_steps")
