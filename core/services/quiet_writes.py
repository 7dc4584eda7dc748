"""Bookkeeping writes that must never hold up a request: "last used" and "last seen" stamps.

On SQLite one writer holds the database for a whole transaction (a long import commit does). A stamp
written in the request's own session would wait for it (the busy timeout) and then fail the request with
"database is locked"; written here, in a transaction of its own that does not wait, it is simply skipped
and a later request records it.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.extensions import db


def write_without_waiting(statement) -> bool:
    """Run ``statement`` (an UPDATE or DELETE) in its own transaction now or not at all; True if it ran."""
    with Session(db.engine) as quiet:
        sqlite = quiet.get_bind().dialect.name == "sqlite"
        try:
            if sqlite:
                quiet.connection().exec_driver_sql("PRAGMA busy_timeout=0")
            quiet.execute(statement, execution_options={"synchronize_session": False})
            quiet.commit()
            return True
        except OperationalError:
            quiet.rollback()
            return False
        finally:
            if sqlite:
                quiet.connection().exec_driver_sql("PRAGMA busy_timeout=30000")
                quiet.commit()
