"""A jurisdiction exported as a zip and imported into an empty installation loses nothing (issue 15,
point 4): the second export of the imported jurisdiction equals the first once ids are read as positions."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from core.auth.models import User
from core.extensions import db
from core.models.event import Event
from core.tenancy import transfer
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope
from core.testing.harness import build_world, clear_tables, debt_payload
from tests.conftest import needs_plugins


def _ids(world, *codes):
    with system_scope():
        return [world.nodes[c].id for c in codes]


@pytest.fixture
def filled(app, client, world):
    """Jurisdiction a with a hosted plan version, debts, payments, a moved unit and history."""
    town1, town2, sub = _ids(world, "a.town1", "a.town2", "a.soe.sub")
    a_id = _ids(world, "a")[0]
    admin = {**world.headers("admin"), "X-Qingqian-Tenant": "a"}
    r = client.put(
        f"/api/v1/tenants/{a_id}/plan/document",
        json={"yaml": "inherits: xinzhou\nname: 甲方案\n", "reason": "托管", "base_version": 0},
        headers=admin,
    )
    assert r.status_code == 200, r.json
    debts = []
    for unit, user, amount in (
        (town1, "clerk_a1", "180000.50"),
        (town2, "clerk_a2", "5200.00"),
        (sub, "soe_a", "9"),
    ):
        body = debt_payload(unit_id=unit, amount_owed=amount, project_name=f"项目{amount}")
        r = client.post("/api/v1/debts", json=body, headers=world.headers(user))
        assert r.status_code == 201, r.json
        debts.append(r.json["id"])
    r = client.post(
        f"/api/v1/debts/{debts[0]}/payments",
        json={"paid_on": "2023-03-02", "amount": "80000.25"},
        headers=world.headers("clerk_a1"),
    )
    assert r.status_code == 201, r.json
    # b's data must stay out of a's export.
    b1 = _ids(world, "b.town1")[0]
    r = client.post("/api/v1/debts", json=debt_payload(unit_id=b1), headers=world.headers("office_b"))
    assert r.status_code == 201, r.json
    return a_id


def _archive(data: bytes) -> tuple[dict, list[dict], dict[str, list[dict]]]:
    return transfer.read_archive(data)


def _normal(data: bytes) -> tuple[list[dict], dict[str, list[dict]]]:
    """The archive with every id replaced by the row's position in its table (users by username)."""
    _, users, tables = _archive(data)
    rank = {name: {row["id"]: i for i, row in enumerate(rows)} for name, rows in tables.items()}
    usernames = {u["id"]: u["username"] for u in users}
    meta = db.metadata.tables

    def ref(target, value):
        if value is None:
            return None
        if target == "users":
            return usernames[value]
        return ("#", target, rank[target][value])

    def snapshot(snap, entity):
        if not isinstance(snap, dict) or entity is None:
            return snap
        out = dict(snap)
        for key, value in snap.items():
            if key == "path" and entity.name == "tenant_nodes":
                out[key] = [rank["tenant_nodes"][int(p)] for p in value.split("/") if p]
            elif key in entity.c and key != "id" and isinstance(value, int):
                target = transfer._target(entity.c[key])
                if target is not None:
                    out[key] = ref(target, value)
        return out

    result = {}
    for name, rows in tables.items():
        table = meta[name]
        normal = []
        for row in rows:
            item = {}
            for key, value in row.items():
                target = transfer._target(table.c[key])
                if key == "id":
                    continue
                item[key] = ref(target, value) if target else value
            if name == "tenant_nodes":
                item["path"] = [rank[name][int(p)] for p in row["path"].split("/") if p]
            if name == "events":
                entity = meta.get(transfer.ENTITY_TABLES.get(row["entity_type"], row["entity_type"]))
                if entity is not None and entity.name in rank:
                    item["entity_id"] = ref(entity.name, row["entity_id"])
                item["before"] = snapshot(row["before"], entity)
                item["after"] = snapshot(row["after"], entity)
            normal.append(item)
        result[name] = normal
    # A user who only appears in the rows (the platform admin) is matched to the account of that name.
    people = sorted(
        (
            {k: v for k, v in u.items() if k not in ("id", "has_password")}
            if u["holds_roles_here"]
            else {"username": u["username"]}
            for u in users
        ),
        key=lambda u: u["username"],
    )
    return people, result


def test_export_import_round_trip_loses_nothing(app, client, world, filled, tmp_path):
    runner = app.test_cli_runner()
    first = tmp_path / "a.zip"
    r = runner.invoke(args=["tenant", "export", "a", "-o", str(first)])
    assert r.exit_code == 0, r.output
    manifest, users, tables = _archive(first.read_bytes())
    with system_scope():
        assert manifest["jurisdiction"]["code"] == "a" and manifest["revisions"]
    assert {"tenant_nodes", "plan_versions", "debts", "payments", "events", "role_assignments"} <= set(tables)
    assert "jobs" in manifest["left_out"]
    assert len(tables["debts"]) == 3 and len(tables["payments"]) == 1 and len(tables["plan_versions"]) == 1
    assert {n["code"] for n in tables["tenant_nodes"]} == {c for c in world.nodes if c.split(".")[0] == "a"}
    assert all("password_hash" not in u for u in users) and {"office_a", "clerk_a1", "admin"} <= {
        u["username"] for u in users
    }
    raw = zipfile.ZipFile(io.BytesIO(first.read_bytes()))
    assert "pbkdf2" not in raw.read("users.json").decode() and "scrypt" not in raw.read("users.json").decode()
    # A spreadsheet copy of each table, for people (the import reads the JSON).
    debts_csv = raw.read(manifest["tables"]["debts"]["csv"]).decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(debts_csv)))
    assert {"id", "amount_owed", "project_name"} <= set(header) and len(lines) == 3
    assert sorted(line[header.index("amount_owed")] for line in lines) == ["180000.50", "5200.00", "9.00"]
    text = json.dumps(tables, ensure_ascii=False)
    assert "b.town1" not in text  # nothing of jurisdiction b
    before = _normal(first.read_bytes())

    # Importing where the codes exist is refused as a whole.
    r = runner.invoke(args=["tenant", "import", str(first)])
    assert r.exit_code == 1 and "单位编码已存在" in r.output and "没有写入任何数据" in r.output

    # "A new installation": empty tables, then another jurisdiction first so every id shifts.
    db.session.remove()  # the export's read transaction would hold TRUNCATE back on PostgreSQL
    clear_tables(app)
    build_world(app)
    # build_world made a and b again: rename them away so the archive's codes are free here.
    with system_scope():
        for node in db.session.scalars(db.select(TenantNode)):
            node.code = "z" + node.code
        for user in db.session.scalars(db.select(User).where(User.username != "admin")):
            user.username = "z" + user.username
        db.session.commit()
    r = runner.invoke(args=["tenant", "import", str(first)])
    assert r.exit_code == 0, r.output
    assert "并入已有用户 1 个" in r.output  # the platform admin who saved the plan version
    second = tmp_path / "again.zip"
    r = runner.invoke(args=["tenant", "export", "a", "-o", str(second)])
    assert r.exit_code == 0, r.output
    after = _normal(second.read_bytes())
    assert after[0] == before[0]
    for name in before[1]:
        assert after[1][name] == before[1][name], name
    with system_scope():
        a = db.session.scalar(db.select(TenantNode).where(TenantNode.code == "a"))
        sub = db.session.scalar(db.select(TenantNode).where(TenantNode.code == "a.soe.sub"))
        assert a.jurisdiction_id == a.id and sub.path.startswith(a.path) and sub.jurisdiction_id == a.id
        office = db.session.scalar(db.select(User).where(User.username == "office_a"))
        assert office.password_hash is None  # no one logs in until a password is set here

    # The imported jurisdiction works: its office reads its debts and the plan in force.
    r = runner.invoke(args=["user", "set-password", "office_a", "--password", "office-pass-2024"])
    assert r.exit_code == 0, r.output
    from tests.test_web import login

    assert login(client, "office_a", "office-pass-2024").status_code == 302
    r = client.get("/api/v1/debts")
    assert r.status_code == 200 and len(r.json) == 3, r.json
    r = client.get("/api/v1/plan")
    assert r.json["name"] == "甲方案" and r.json["lineage"] == ["xinzhou", "a"]


def test_export_is_for_the_jurisdictions_admins(app, client, world, filled):
    a_id, b_id, town1 = _ids(world, "a", "b", "a.town1")
    r = client.get(f"/api/v1/tenants/{a_id}/export", headers=world.headers("office_a"))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    manifest, _, tables = _archive(r.data)
    assert manifest["jurisdiction"]["code"] == "a" and len(tables["debts"]) == 3
    assert client.get(f"/api/v1/tenants/{a_id}/export", headers=world.headers("office_b")).status_code == 404
    # Roles without user.manage are refused at the gate, before any lookup.
    assert client.get(f"/api/v1/tenants/{a_id}/export", headers=world.headers("clerk_b1")).status_code == 403
    # Unit users of a (even a unit's head) may not take the whole jurisdiction.
    assert client.get(f"/api/v1/tenants/{a_id}/export", headers=world.headers("clerk_a1")).status_code in (
        403,
        404,
    )
    # Through a unit: the unit's jurisdiction.
    r = client.get(f"/api/v1/tenants/{town1}/export", headers=world.headers("office_a"))
    assert r.status_code == 200 and _archive(r.data)[0]["jurisdiction"]["code"] == "a"
    with system_scope():
        events = db.session.scalars(db.select(Event).where(Event.action == "exported")).all()
        assert [(e.entity_id, e.actor_name) for e in events] == [(a_id, "office_a")] * 2
    r = client.get(
        f"/api/v1/tenants/{b_id}/export", headers={**world.headers("admin"), "X-Qingqian-Tenant": "b"}
    )
    assert r.status_code == 200 and _archive(r.data)[0]["jurisdiction"]["code"] == "b"


@needs_plugins("agreements")
def test_a_plugins_files_travel_with_the_rows(app, client, world, tmp_path):
    """An agreement's signed scan is a file on disk (``qingqian_stored_files``): it is packed, and the
    imported agreement serves the same bytes from a new file under the new jurisdiction."""
    from tests.agreements.conftest import make_debt, set_agreements
    from tests.agreements.test_agreements import PDF, URL, body

    set_agreements(world)
    debt = make_debt(client, world)
    h = world.headers("clerk_a1")
    aid = client.post(URL, json=body(debt["id"]), headers=h).json["id"]
    r = client.post(
        f"{URL}/{aid}/scan",
        data={"file": (io.BytesIO(PDF), "还款协议.pdf")},
        headers=h,
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.json
    runner = app.test_cli_runner()
    archive = tmp_path / "a.zip"
    assert runner.invoke(args=["tenant", "export", "a", "-o", str(archive)]).exit_code == 0
    manifest, _, tables = _archive(archive.read_bytes())
    assert [(f["table"], f["column"]) for f in manifest["files"]] == [("agreements_agreements", "scan_path")]
    assert manifest["missing_files"] == []
    old_path = tables["agreements_agreements"][0]["scan_path"]

    db.session.remove()  # the export's read transaction would hold TRUNCATE back on PostgreSQL
    clear_tables(app)
    r = runner.invoke(args=["tenant", "import", str(archive)])
    assert r.exit_code == 0, r.output
    with system_scope():
        a_id = db.session.scalar(db.select(TenantNode.id).where(TenantNode.code == "a"))
        (new_path,) = db.session.scalars(sa.select(sa.table("agreements_agreements", sa.column("scan_path"))))
    assert new_path.startswith(f"{a_id}/") and new_path != old_path
    runner.invoke(args=["user", "set-password", "clerk_a1", "--password", "clerk-pass-2024"])
    from tests.test_web import login

    assert login(client, "clerk_a1", "clerk-pass-2024").status_code == 302
    with system_scope():
        new_id = db.session.scalar(sa.select(sa.table("agreements_agreements", sa.column("id")).c.id))
    r = client.get(f"{URL}/{new_id}/scan")
    assert r.status_code == 200 and r.data == PDF


def _with_table(data: bytes, name: str, rows: list[dict]) -> bytes:
    """``data`` with one more table, as an installation with another plugin would have written it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    manifest["tables"][name] = {"rows": len(rows), "file": f"tables/{name}.json"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            if item != "manifest.json":
                target.writestr(item, source.read(item))
        target.writestr("manifest.json", json.dumps(manifest))
        target.writestr(f"tables/{name}.json", json.dumps(rows))
    return out.getvalue()


def test_import_refuses_what_this_installation_cannot_hold(app, world, filled):
    with system_scope():
        data = transfer.export_jurisdiction(world.node("a"))
    db.session.remove()
    clear_tables(app)
    with system_scope():
        with pytest.raises(transfer.TransferError) as refused:
            transfer.import_jurisdiction(_with_table(data, "visits_of_another_plugin", [{"id": 1, "x": 1}]))
        assert "visits_of_another_plugin" in refused.value.problems[0]
        db.session.rollback()
        with pytest.raises(transfer.TransferError) as refused:
            transfer.import_jurisdiction(b"not a zip")
        assert "不是辖区导出文件" in refused.value.problems[0]
        # A plugin's empty table loses nothing: the import goes ahead.
        report = transfer.import_jurisdiction(_with_table(data, "visits_of_another_plugin", []))
        db.session.commit()
        assert report["jurisdiction"].code == "a" and report["tables"]["debts"] == 3
