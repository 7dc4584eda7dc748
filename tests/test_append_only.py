"""History tables are append-only (issue 13, point 3): declared, guarded by the ORM, and on PostgreSQL
refused by a trigger for every role, the app's included. Plugins are held to the same contract: a table
that looks like a history is declared (``core.models.append_only.AppendOnly``), and its migration installs
the trigger.
"""

from __future__ import annotations

import pytest
from sqlalchemy import String, Text, inspect, text
from sqlalchemy.exc import DBAPIError

from core.extensions import db
from core.models.append_only import AppendOnlyError, is_append_only, trigger_name
from core.models.event import Event
from core.plugins import flatten
from core.tenancy.scope import system_scope
from core.testing.contract import looks_like_history
from tests.conftest import INSTALLED_PLUGINS, needs_plugins, registered_models


def mapped_models() -> list[type]:
    from flask import current_app

    return sorted(registered_models(current_app), key=lambda c: c.__name__)


def declared() -> list[type]:
    return [cls for cls in mapped_models() if is_append_only(cls)]


def test_history_tables_are_declared(app):
    undeclared = [
        cls.__name__ for cls in mapped_models() if looks_like_history(cls) and not is_append_only(cls)
    ]
    assert not undeclared, (
        "这些表记录发生过的事，应只能追加：请混入 core.models.append_only.AppendOnly，"
        "并在迁移中调用 make_append_only(op, 表名)：" + ", ".join(undeclared)
    )
    expected = {"events"}
    expected |= {"complaint_steps"} if "complaints" in INSTALLED_PLUGINS else set()
    expected |= {"agreements_dispute_steps"} if "agreements" in INSTALLED_PLUGINS else set()
    assert expected <= {c.__tablename__ for c in declared()}


@pytest.fixture
def history_rows(app, world):
    """One row of every declared history table (plugins' through their sample objects)."""
    with system_scope():
        unit, user = world.node("a.town1"), world.users["clerk_a1"]
        pm = app.extensions["qingqian.plugins"]
        objects = flatten(pm.hook.qingqian_sample_objects(unit=unit, user=user))
        event = Event(
            jurisdiction_id=unit.jurisdiction_id,
            unit_id=unit.id,
            entity_type="debts",
            entity_id=1,
            action="created",
            actor_name="系统",
        )
        db.session.add(event)
        db.session.commit()
        rows = {
            type(o): (type(o), inspect(o).identity[0]) for o in [*objects, event] if is_append_only(type(o))
        }
    missing = [cls.__name__ for cls in declared() if cls not in rows]
    assert not missing, "这些只能追加的表没有示例对象（qingqian_sample_objects）：" + ", ".join(missing)
    return list(rows.values())


def _text_column(cls: type) -> str:
    return next(
        c.key
        for c in cls.__table__.columns
        if isinstance(c.type, String | Text) and c.key not in cls.__append_only_movable__
    )


def test_the_orm_refuses_changes_and_deletes(app, history_rows):
    for cls, pk in history_rows:
        with system_scope():
            row = db.session.get(cls, pk)
            column = _text_column(cls)
            setattr(row, column, (getattr(row, column) or "") + "改")
            with pytest.raises(AppendOnlyError, match="只能追加"):
                db.session.flush()
            db.session.rollback()
            with pytest.raises(AppendOnlyError, match="只能追加"):
                db.session.delete(db.session.get(cls, pk))
                db.session.flush()
            db.session.rollback()


@needs_plugins("complaints")
def test_a_complaint_step_follows_its_case_to_another_unit(app, world, history_rows):
    from plugins.complaints.models import ComplaintStep

    pk = next(pk for cls, pk in history_rows if cls is ComplaintStep)
    with system_scope():
        step = db.session.get(ComplaintStep, pk)
        step.unit_id = world.node("a.town2").id
        db.session.commit()
        assert db.session.get(ComplaintStep, pk).unit_id == world.node("a.town2").id


@pytest.mark.postgres
def test_the_database_refuses_changes_and_deletes(app, world, history_rows):
    for cls, pk in history_rows:
        table, column = cls.__tablename__, _text_column(cls)
        with system_scope():
            found = db.session.scalar(
                text("SELECT count(*) FROM pg_trigger WHERE tgname = :name AND NOT tgisinternal"),
                {"name": trigger_name(table)},
            )
            assert found == 1, f"{table} 的迁移没有调用 make_append_only"
            with pytest.raises(DBAPIError, match="只能追加"):
                changed = f"coalesce(\"{column}\", '') || '改'"
                db.session.execute(
                    text(f'UPDATE "{table}" SET "{column}" = {changed} WHERE id = :id'), {"id": pk}
                )
            db.session.rollback()
            with pytest.raises(DBAPIError, match="只能追加"):
                db.session.execute(text(f'DELETE FROM "{table}" WHERE id = :id'), {"id": pk})
            db.session.rollback()
            for movable in cls.__append_only_movable__:
                db.session.execute(
                    text(f'UPDATE "{table}" SET "{movable}" = "{movable}" WHERE id = :id'), {"id": pk}
                )
                db.session.rollback()
    with system_scope():
        moved = world.node("a.town2").id
        db.session.execute(
            text("UPDATE complaint_steps SET unit_id = :u"), {"u": moved}
        )  # a transfer: allowed
        with pytest.raises(DBAPIError, match="只能追加"):
            db.session.execute(text("UPDATE complaint_steps SET unit_id = :u, label = 'x'"), {"u": moved})
        db.session.rollback()
