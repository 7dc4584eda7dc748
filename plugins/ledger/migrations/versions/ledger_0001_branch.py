"""Start the ledger plugin's migration branch.

Revision ID: ledger_0001
Revises:
Create Date: 2026-11-26
"""

revision = "ledger_0001"
down_revision = None
branch_labels = ("ledger",)
# Ledger tables reference core's tenant tree, users and debts.
depends_on = "cf10c36423bc"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
