"""The floor for the debt-list scenario: a bare Flask route running the same SQL through psycopg.

It checks the bearer token with one query (an API without authentication would not be a fair floor),
then runs the count and page queries the product needs and builds the same JSON fields by hand.
Served by gunicorn with the same settings as the product: ``gunicorn 'benchmarks.bare_app:create_app()'``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from decimal import Decimal

import psycopg
from flask import Flask, jsonify, request

WHERE = """
    d.jurisdiction_id = %(j)s AND d.deleted_at IS NULL AND e.deleted_at IS NULL
    AND d.unit_id IN (SELECT id FROM tenant_nodes WHERE path LIKE %(subtree)s)
    AND d.status = ANY(%(status)s) AND d.category = ANY(%(category)s) AND d.overdue_days > 0
    AND d.amount_owed >= %(min)s AND d.amount_owed <= %(max)s
"""
COUNT_SQL = "SELECT count(*) FROM debts d JOIN enterprises e ON e.id = d.creditor_id WHERE" + WHERE
PAGE_SQL = (
    """
SELECT d.id, d.unit_id, u.code AS unit_code, u.name AS unit_name, d.creditor_id, e.name AS creditor_name,
       e.credit_code, d.project_name, d.contract_no, d.contract_date, d.category, d.amount_owed,
       d.undisputed_amount, d.disputed_amount, d.paid_amount, d.due_date, d.overdue_days, d.late_interest,
       d.status, d.source, d.version, d.updated_at
FROM debts d JOIN enterprises e ON e.id = d.creditor_id JOIN tenant_nodes u ON u.id = d.unit_id
WHERE"""
    + WHERE
    + " ORDER BY d.amount_owed DESC, d.id DESC LIMIT %(limit)s OFFSET %(offset)s"
)
TOKEN_SQL = (
    "SELECT r.jurisdiction_id FROM api_tokens t JOIN role_assignments r ON r.user_id = t.user_id "
    "WHERE t.token_hash = %s AND t.revoked_at IS NULL LIMIT 1"
)


def _json(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def create_app() -> Flask:
    url = os.environ["BENCH_DATABASE_URL"]
    app = Flask("bare")
    local = threading.local()

    def connection() -> psycopg.Connection:
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = psycopg.connect(url)
        return conn

    @app.get("/debts")
    def debts():
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        conn = connection()
        with conn.transaction(), conn.cursor() as cur:
            found = cur.execute(TOKEN_SQL, (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
            if found is None:
                return jsonify({"code": 401}), 401
            args = request.args
            unit_path = cur.execute(
                "SELECT path FROM tenant_nodes WHERE id = %s", (args["unit"],)
            ).fetchone()[0]
            params = {
                "j": found[0],
                "subtree": unit_path + "%",
                "status": args.getlist("status"),
                "category": args.getlist("category"),
                "min": Decimal(args["min_amount"]),
                "max": Decimal(args["max_amount"]),
                "limit": int(args.get("page_size", 50)),
                "offset": (int(args.get("page", 1)) - 1) * int(args.get("page_size", 50)),
            }
            total = cur.execute(COUNT_SQL, params).fetchone()[0]
            cur.execute(PAGE_SQL, params)
            names = [c.name for c in cur.description]
            rows = []
            for values in cur.fetchall():
                row = {k: _json(v) for k, v in zip(names, values, strict=True)}
                row["unit"] = {
                    "id": row["unit_id"],
                    "code": row.pop("unit_code"),
                    "name": row.pop("unit_name"),
                }
                row["creditor"] = {
                    "id": row["creditor_id"],
                    "name": row.pop("creditor_name"),
                    "credit_code": row.pop("credit_code"),
                }
                row["outstanding"] = f"{Decimal(row['amount_owed']) - Decimal(row['paid_amount']):.2f}"
                rows.append(row)
        response = jsonify(rows)
        response.headers["X-Total-Count"] = str(total)
        return response

    return app
