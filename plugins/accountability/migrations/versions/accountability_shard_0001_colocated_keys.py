"""accountability: tables ready to distribute by jurisdiction — (jurisdiction_id, id) keys, colocated
foreign keys, unique keys that hold the jurisdiction.

Revision ID: accountability_shard_0001
Revises: accountability_0009_corrections
Create Date: 2026-12-04 15:00:00

Every table gets the unique key (jurisdiction_id, id) in place of its jurisdiction index; the foreign keys
between the plugin's tables (corrections included) and to debts carry jurisdiction_id on both sides
(core.tenancy.colocation); the recipients' and the corrections' unique keys hold the jurisdiction last.
"""

from alembic import op

from core.tenancy.colocation import colocate, uncolocate

revision = "accountability_shard_0001"
down_revision = "accountability_0009_corrections"
branch_labels = None
# The debts' (jurisdiction_id, id) key the findings' foreign key points at comes with core's shard_0001.
depends_on = "shard_0001"

FINDINGS = "accountability_flag_findings"
RECIPIENTS = "accountability_bulletin_recipients"

# Parents before children: a colocated foreign key needs its target's key. The foreign keys are swapped
# here rather than by colocate: one was named by hand (NAMES), and the unique keys on a global id change
# in the same rebuild of the table.
TABLES = [
    ("accountability_bulletins", {"corrects_id": "accountability_bulletins"}),
    (RECIPIENTS, {"bulletin_id": "accountability_bulletins"}),
    ("accountability_supervisions", {}),
    ("accountability_supervision_steps", {"supervision_id": "accountability_supervisions"}),
    ("accountability_interviews", {}),
    ("accountability_commitments", {"interview_id": "accountability_interviews"}),
    ("accountability_measures", {}),
    ("accountability_assessments", {}),
    ("accountability_referrals", {}),
    ("accountability_cases", {}),
    ("accountability_credit_referrals", {}),
    (FINDINGS, {"debt_id": "debts", "corrects_id": FINDINGS}),
]

# Named by hand in the model (and in accountability_0009) for the length limit.
NAMES = {(FINDINGS, "corrects_id"): "fk_accountability_flag_findings_corrects_id"}

# Unique keys on a global id, then held with jurisdiction_id last: (name before, name after, columns).
UNIQUE = {
    RECIPIENTS: (
        "uq_accountability_bulletin_recipients_unit",
        "uq_accountability_bulletin_recipients_unit",
        ["bulletin_id", "unit_id"],
    ),
    FINDINGS: (f"uq_{FINDINGS}_corrects_id", f"uq_{FINDINGS}_corrects_id_jurisdiction_id", ["corrects_id"]),
}


def _fk_name(table: str, column: str, target: str):
    return op.f(NAMES.get((table, column), f"fk_{table}_{column}_{target}"))


def _rebuild(table: str, foreign_keys: dict[str, str], *, colocated: bool) -> None:
    """Swap the table's foreign keys (and its unique key on a global id) for the colocated ones, or back."""
    carry = ["jurisdiction_id"] if colocated else []
    with op.batch_alter_table(table) as batch:  # on SQLite: one rebuild of the table
        for column, target in foreign_keys.items():
            batch.drop_constraint(_fk_name(table, column, target), type_="foreignkey")
        for column, target in foreign_keys.items():
            batch.create_foreign_key(
                _fk_name(table, column, target), target, [column, *carry], ["id", *carry]
            )
        if table in UNIQUE:
            before, after, columns = UNIQUE[table]
            old, new = (before, after) if colocated else (after, before)
            batch.drop_constraint(op.f(old), type_="unique")
            batch.create_unique_constraint(op.f(new), [*columns, *carry])


def upgrade() -> None:
    for table, foreign_keys in TABLES:
        colocate(op, table)
        if foreign_keys:
            _rebuild(table, foreign_keys, colocated=True)


def downgrade() -> None:
    for table, foreign_keys in reversed(TABLES):
        if foreign_keys:
            _rebuild(table, foreign_keys, colocated=False)
        uncolocate(op, table)
