"""History tables: rows that record what happened are never changed or deleted.

A model declares itself with the ``AppendOnly`` mixin (core's and plugins' alike); its migration calls
``make_append_only(op, table)``, which installs a PostgreSQL trigger refusing UPDATE and DELETE for every
role, the app's included. The ORM refuses the same changes on every database (SQLite too), so the mistake
shows in development before it reaches the trigger. The contract tests (tests/test_append_only.py)
enumerate the declared models and check each has its trigger, and that history-like tables are declared.

``__append_only_movable__`` names columns that may still change: a complaint's timeline follows the case
to the unit it is transferred to (``unit_id``), its content does not change. ``frozen_when`` (a condition
on ``OLD``) makes a table append-only row by row once a row reaches a state, e.g. a bulletin once issued.
"""

from __future__ import annotations

import re
from typing import ClassVar

from sqlalchemy import event, inspect

REFUSED = "只能追加记录，不能修改或删除"
_FUNCTION = "qingqian_refuse_history_change"


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a row of a history table."""


class AppendOnly:
    """Mixin for history tables (see the module docstring)."""

    __append_only__: ClassVar[bool] = True
    __append_only_movable__: ClassVar[tuple[str, ...]] = ()


def is_append_only(cls: type) -> bool:
    return bool(getattr(cls, "__append_only__", False))


def _changed_columns(target) -> set[str]:
    state = inspect(target)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(AppendOnly, "before_update", propagate=True)
def _refuse_update(mapper, connection, target):
    if _changed_columns(target) - set(type(target).__append_only_movable__):
        raise AppendOnlyError(f"{mapper.local_table.name}：{REFUSED}")


@event.listens_for(AppendOnly, "before_delete", propagate=True)
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError(f"{mapper.local_table.name}：{REFUSED}")


# --- Migrations -------------------------------------------------------------------------------------

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


def is_postgresql(op) -> bool:
    return op.get_bind().dialect.name == "postgresql"


def trigger_name(table_name: str) -> str:
    return f"{table_name}_append_only"


# Tables whose migration installed the append-only guard in this process (seen by the contract kit on
# SQLite, where the call does nothing else).
APPEND_ONLY_REQUESTED: set[str] = set()


def make_append_only(
    op, table_name: str, movable: tuple[str, ...] = (), frozen_when: str | None = None
) -> None:
    """Refuse UPDATE and DELETE on ``table_name`` at the database (PostgreSQL), for every role.

    ``movable``: columns an UPDATE may still change when nothing else changes (tenant columns that follow
    a transferred case). ``frozen_when``: a SQL condition on ``OLD`` (``OLD.status = 'issued'``); when
    given, only rows meeting it are protected. Other databases rely on the ORM guard above.
    """
    APPEND_ONLY_REQUESTED.add(table_name)
    if not is_postgresql(op):
        return
    table = _ident(table_name)
    for column in movable:
        _ident(column)
    function = _FUNCTION
    if frozen_when:
        # A condition is the table's own: its own function, named after it.
        function = f"{_FUNCTION}_{table_name}"
        op.execute(_function_sql(function, f"NOT ({frozen_when})"))
    else:
        op.execute(_function_sql(function, None))
    trigger = _ident(trigger_name(table_name))
    arguments = ", ".join(f"'{column}'" for column in movable)
    op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute(
        f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}({arguments})"
    )


def drop_append_only(op, table_name: str, frozen_when: str | None = None) -> None:
    if not is_postgresql(op):
        return
    op.execute(f"DROP TRIGGER IF EXISTS {_ident(trigger_name(table_name))} ON {_ident(table_name)}")
    if frozen_when:
        op.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}_{table_name}()")
    # The shared function goes with the last trigger that uses it, so a full downgrade leaves nothing.
    op.execute(
        f"""
DO $qq$
BEGIN
    IF to_regproc('{_FUNCTION}') IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM pg_trigger WHERE tgfoid = to_regproc('{_FUNCTION}')
    ) THEN
        DROP FUNCTION {_FUNCTION}();
    END IF;
END
$qq$;
"""
    )


def _function_sql(name: str, unprotected: str | None) -> str:
    lines = [f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $qq$", "BEGIN"]
    if unprotected:
        lines.append(
            f"    IF {unprotected} THEN RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END; END IF;"
        )
    # The trigger's arguments are the columns an UPDATE may move; any other change is refused.
    lines += [
        "    IF TG_OP = 'UPDATE' AND TG_NARGS > 0",
        "        AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN",
        "        RETURN NEW;",
        "    END IF;",
        f"    RAISE EXCEPTION '表 % {REFUSED}', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';",
        "END",
        "$qq$;",
    ]
    return "\n".join(lines)
