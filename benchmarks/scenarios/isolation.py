"""The cost of isolation: ORM filter + row-level security on vs off for the same queries.

On: the office user's scope and a unit user's scope; the ORM adds the tenant criteria, each transaction
switches to the app role and sets the RLS settings. Off: system scope with the ORM filter skipped and no
role switch (so RLS does not bind the superuser), the tenant predicates written by hand instead. The two
must return the same rows.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, lazyload

from benchmarks.data import Dataset
from benchmarks.timing import Result, interleave, median

STATUSES = ("confirmed", "disputed")


def _workload(app, dataset: Dataset, unit_ids: list[int], debt_ids: list[int], isolated: bool) -> list:
    from core.extensions import db
    from core.models.debt import Debt
    from core.models.enterprise import Enterprise
    from core.tenancy import isolation
    from core.tenancy.scope import Scope, scope_context

    jid = dataset.main_jurisdiction
    out = []
    with app.app_context():
        engine = db.engine
        saved = None
        if not isolated:
            saved = isolation._rls_engines.pop(id(engine), None)  # no SET ROLE, no RLS settings
        try:
            for units in (None, unit_ids):
                if isolated:
                    scope = Scope(jurisdiction_id=jid, unit_ids=frozenset(units) if units else None)
                    options = {}
                else:
                    scope = Scope.system()
                    options = {isolation.SKIP_FILTER: True}

                def where(stmt, units=units):
                    if isolated:
                        return stmt
                    stmt = stmt.where(Debt.jurisdiction_id == jid, Debt.deleted_at.is_(None))
                    return stmt.where(Debt.unit_id.in_(units)) if units else stmt

                with scope_context(scope):
                    listing = where(
                        db.select(Debt)
                        .join(Debt.creditor)
                        .options(contains_eager(Debt.creditor), lazyload(Debt.payments))
                        .where(Debt.status.in_(STATUSES))
                    )
                    if not isolated:
                        listing = listing.where(
                            Enterprise.jurisdiction_id == jid, Enterprise.deleted_at.is_(None)
                        )
                    page = listing.order_by(Debt.amount_owed.desc(), Debt.id.desc()).limit(50)
                    out.append([d.id for d in db.session.scalars(page, execution_options=options).unique()])
                    count = db.select(func.count()).select_from(listing.subquery())
                    out.append(db.session.scalar(count, execution_options=options))
                    agg = where(
                        db.select(Debt.status, func.count(Debt.id), func.sum(Debt.amount_owed)).group_by(
                            Debt.status
                        )
                    )
                    out.append(sorted(tuple(r) for r in db.session.execute(agg, execution_options=options)))
                    for debt_id in debt_ids:
                        one = where(db.select(Debt.id, Debt.amount_owed).where(Debt.id == debt_id))
                        out.append(
                            tuple(db.session.execute(one, execution_options=options).one_or_none() or ())
                        )
                    db.session.commit()
            db.session.remove()
        finally:
            if saved is not None:
                isolation._rls_engines[id(engine)] = saved
    return out


def run(app, url: str, dataset: Dataset, repetitions: int, log=print) -> Result:
    import psycopg

    result = Result(
        name="isolation",
        title="Isolation cost: ORM filter + RLS on vs off (same queries, same rows)",
        unit="ms",
        target=1.10,
        target_text="≤ 10% overhead (≤ 1.10×)",
    )
    with psycopg.connect(url) as conn:
        soe_path = conn.execute(
            "SELECT path FROM tenant_nodes WHERE id = %s", (dataset.soe_group,)
        ).fetchone()[0]
        unit_ids = [
            r[0] for r in conn.execute("SELECT id FROM tenant_nodes WHERE path LIKE %s", (soe_path + "%",))
        ]
        debt_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM debts WHERE jurisdiction_id = %s ORDER BY id LIMIT 20 OFFSET 1000",
                (dataset.main_jurisdiction,),
            )
        ]
    on = _workload(app, dataset, unit_ids, debt_ids, True)
    off = _workload(app, dataset, unit_ids, debt_ids, False)
    if on != off:
        result.correct = False
        diffs = [i for i, (a, b) in enumerate(zip(on, off, strict=True)) if a != b]
        result.notes.append(f"isolated and hand-filtered queries differ at items {diffs[:5]}")
    else:
        result.notes.append(f"same results: {len(on)} query results compared (office and unit user)")
    times = interleave(
        {
            "on": lambda: _workload(app, dataset, unit_ids, debt_ids, True),
            "off": lambda: _workload(app, dataset, unit_ids, debt_ids, False),
        },
        repetitions,
    )
    result.ours = median(times["on"]) * 1000
    result.baseline = median(times["off"]) * 1000
    result.ratio = result.ours / result.baseline
    result.details = {
        "queries": "per scope (office, unit user): page of 50, count, status aggregate, 20 lookups by id",
        "on_ms": [round(t * 1000, 1) for t in times["on"]],
        "off_ms": [round(t * 1000, 1) for t in times["off"]],
    }
    return result
