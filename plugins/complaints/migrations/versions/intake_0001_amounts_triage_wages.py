"""complaints: written amounts (blank, approximate), debtor score, triage suggestion, needs-info, wages

Revision ID: intake_0001_amounts_triage
Revises: sec_0001_complaints_steps
Create Date: 2026-12-03 23:20:00
"""

import sqlalchemy as sa
from alembic import op

from core.models.base import Money

revision = "intake_0001_amounts_triage"
down_revision = "sec_0001_complaints_steps"
branch_labels = None
depends_on = None

COLUMNS = (
    ("amount_text", sa.String(60)),
    ("amount_approximate", sa.Boolean()),
    ("debtor_score", sa.Float()),
    ("migrant_wages", sa.Boolean()),
    ("migrant_wage_amount", Money()),
    ("suggested_category", sa.String(30)),
    ("suggested_reasons", sa.JSON()),
    ("triage_category", sa.String(30)),
    ("triage_override_reason", sa.Text()),
    ("info_request", sa.Text()),
    ("info_requested_on", sa.Date()),
    ("info_reply", sa.Text()),
    ("info_replied_on", sa.Date()),
)
FLAGS = {"amount_approximate", "migrant_wages"}


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        for name, type_ in COLUMNS:
            if name in FLAGS:
                batch.add_column(sa.Column(name, type_, nullable=False, server_default=sa.false()))
            else:
                batch.add_column(sa.Column(name, type_, nullable=True))
        batch.alter_column("amount", existing_type=Money(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE complaints SET amount = 0 WHERE amount IS NULL")
    with op.batch_alter_table("complaints") as batch:
        batch.alter_column("amount", existing_type=Money(), nullable=False)
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
