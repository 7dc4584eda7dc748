"""Start the complaints plugin's migration branch.

Revision ID: complaints_0001
Revises:
Create Date: 2026-11-26
"""

revision = "complaints_0001"
down_revision = None
branch_labels = ("complaints",)
# The plugin's tables reference core's tenant tree, users and debts.
depends_on = "cf10c36423bc"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
