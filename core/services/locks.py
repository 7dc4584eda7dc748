"""Row locks for read-modify-write: a payment adds to the balance it read, an edit checks the version it read.

Without a lock two requests can read the same row and the second write silently drops the first (two
payments of 1 yuan on one debt leave ``paid_amount`` 1 yuan higher, not 2). ``lock_row`` takes the row's
write lock for the rest of the transaction and reloads it, so what the caller reads next is what it writes
over. PostgreSQL locks the row (``SELECT … FOR UPDATE``); SQLite has one writer per database, so the
transaction takes the write lock (waiting up to ``busy_timeout``) before the reload.
"""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from core.extensions import db


def lock_row(obj) -> None:
    """Lock ``obj``'s row until commit and reload its columns; pending changes are flushed first."""
    session = db.session
    if obj in session.dirty:
        session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # OF the row's own table: the reload may outer-join eager relations, which cannot be locked.
        session.refresh(obj, with_for_update={"of": inspect(obj).mapper.local_table})
        return
    connection = session.connection()
    if not connection.connection.dbapi_connection.in_transaction:
        # The driver opens a transaction only at the first write; reads before it saw the database as it
        # was then. BEGIN IMMEDIATE waits (busy_timeout) for the single write lock and starts from now.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    # else this transaction has written already, so it holds the write lock
    session.refresh(obj)


def is_row(obj) -> bool:
    """Whether ``obj`` is a mapped row ``lock_row`` can lock (not a view assembled from several rows)."""
    try:
        return inspect(obj).mapper is not None
    except NoInspectionAvailable:
        return False
