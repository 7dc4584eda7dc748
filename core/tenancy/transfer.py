"""One jurisdiction out of one installation and into another: a zip of JSON tables with a manifest.

Hosted customers need to know they can leave. The export holds every row of every tenant-owned table of
the jurisdiction — core's and each installed plugin's, found through the ``jurisdiction_id`` column every
tenant-owned table has — and the users those rows name, without password hashes, tokens or sessions.
Run state (``jobs``: a queued job must not run again elsewhere) stays behind and the manifest says so.

Ids are the installation's own, so import gives every row a new id and rewrites each reference: foreign
keys, the tenant columns copied without a key (``jurisdiction_id``/``unit_id`` of events and preview
rows), a node's ``path``, an event's ``entity_id`` and the ids inside its before/after snapshots. Users
come back without a password: nobody can log in as them until one is set (``qingqian user set-password``).

Layout of the zip::

    manifest.json           format, version, jurisdiction, source installation's revisions, tables + counts
    tables/<table>.json     rows as objects (Decimal and dates as strings, bytes as {"$base64": ...})
    csv/<table>.csv         the same rows for a spreadsheet (UTF-8 with BOM; import reads the JSON)
    users.json              the users the rows name (no password hash) and whether they hold roles here
    files/<table>/<id>/...  files plugins keep on disk (``qingqian_stored_files``), e.g. agreement scans
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from core import clock
from core.extensions import db
from core.tenancy.models import TenantNode

FORMAT = "qingqian-jurisdiction-export"
FORMAT_VERSION = 1
USERS = "users"
NODES = "tenant_nodes"
# Tables of a jurisdiction left out, with the reason the manifest gives.
LEFT_OUT = {"jobs": "后台作业的运行记录：导入后不应再次执行"}
# Columns holding tenant ids without a foreign key (copied from a parent row, see CopiedUnitOwned).
COPIED_NODE_COLUMNS = ("jurisdiction_id", "unit_id")
# History events name their entity by type; the type is the table name except for these.
ENTITY_TABLES = {"tenant": NODES}
USER_COLUMNS_LEFT_OUT = ("password_hash",)


@dataclass(frozen=True)
class StoredFiles:
    """``table.column`` holds the path of a file on disk, relative to ``root()`` or absolute under it."""

    table: str
    column: str
    root: Callable[[], Path]


def stored_files() -> list[StoredFiles]:
    from core.plugins import flatten, get_pm

    return flatten(get_pm().hook.qingqian_stored_files())


def _file_of(spec: StoredFiles, value: str) -> Path | None:
    base = Path(spec.root()).resolve()
    path = Path(value)
    path = (path if path.is_absolute() else base / path).resolve()
    if base not in path.parents or not path.is_file():
        return None  # never pack anything outside the plugin's folder
    return path


class TransferError(ValueError):
    """The archive cannot be imported here; ``problems`` lists each reason in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


# --- values -----------------------------------------------------------------------------------------


def _out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"$base64": base64.b64encode(bytes(value)).decode()}
    return value


def _in(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and set(value) == {"$base64"}:
        return base64.b64decode(value["$base64"])
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is Decimal:
        return Decimal(str(value))
    if python_type is dt.datetime and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if python_type is dt.time and isinstance(value, str):
        return dt.time.fromisoformat(value)
    return value


# --- export -----------------------------------------------------------------------------------------


def tenant_tables() -> list[sa.Table]:
    """Every tenant-owned table of this installation, parents before children (the nodes first).

    A plugin's model may be imported without the plugin being installed here (no migration, no table):
    only tables the database has are read."""
    existing = set(sa.inspect(db.session.connection()).get_table_names())
    tables = [
        t
        for t in db.metadata.sorted_tables
        if "jurisdiction_id" in t.c and t.name not in LEFT_OUT and t.name in existing
    ]
    return sorted(tables, key=lambda t: t.name != NODES)


def _rows(table: sa.Table, jurisdiction_id: int) -> list[dict]:
    query = sa.select(table).where(table.c.jurisdiction_id == jurisdiction_id)
    order = [table.c.depth, table.c.id] if table.name == NODES else [c for c in table.primary_key.columns]
    result = db.session.execute(query.order_by(*order))
    return [{k: _out(v) for k, v in row._mapping.items()} for row in result]


def _user_refs(table: sa.Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == USERS]


def export_jurisdiction(jurisdiction: TenantNode, installed: list[str] | None = None) -> bytes:
    """The zip of everything of ``jurisdiction``. Run in the system scope (it reads every unit)."""
    from core.auth.models import Role

    tables: dict[str, list[dict]] = {}
    user_ids: set[int] = set()
    role_holders: set[int] = set()
    for table in tenant_tables():
        rows = _rows(table, jurisdiction.id)
        tables[table.name] = rows
        for column in _user_refs(table):
            user_ids |= {r[column] for r in rows if r.get(column) is not None}
        if table.name == "role_assignments":
            role_holders |= {r["user_id"] for r in rows if r["role"] != Role.PLATFORM_ADMIN}
    users_table = db.metadata.tables[USERS]
    users = []
    if user_ids:
        result = db.session.execute(
            sa.select(users_table).where(users_table.c.id.in_(user_ids)).order_by(users_table.c.id)
        )
        for row in result:
            item = {k: _out(v) for k, v in row._mapping.items() if k not in USER_COLUMNS_LEFT_OUT}
            item["has_password"] = bool(row._mapping["password_hash"])
            item["holds_roles_here"] = row._mapping["id"] in role_holders
            users.append(item)
    files: list[dict] = []
    missing: list[dict] = []
    packed: list[tuple[str, Path]] = []
    for spec in stored_files():
        for row in tables.get(spec.table, []):
            value = row.get(spec.column)
            if not value:
                continue
            path = _file_of(spec, value)
            where = {"table": spec.table, "column": spec.column, "row": row["id"]}
            if path is None:
                missing.append(where)
                continue
            name = f"files/{spec.table}/{row['id']}/{spec.column}{path.suffix}"
            files.append({**where, "file": name, "absolute": Path(value).is_absolute()})
            packed.append((name, path))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": clock.utcnow().isoformat(),
        "jurisdiction": {"id": jurisdiction.id, "code": jurisdiction.code, "name": jurisdiction.name},
        "revisions": _revisions(),
        "plugins": sorted(installed or []),
        "tables": {
            name: {"rows": len(rows), "file": f"tables/{name}.json", "csv": f"csv/{name}.csv"}
            for name, rows in tables.items()
        },
        "users": {"rows": len(users), "file": "users.json", "left_out": list(USER_COLUMNS_LEFT_OUT)},
        "files": files,
        "missing_files": missing,
        "left_out": LEFT_OUT,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        archive.writestr("users.json", _json(users))
        for name, rows in tables.items():
            archive.writestr(f"tables/{name}.json", _json(rows))
            archive.writestr(f"csv/{name}.csv", _csv(db.metadata.tables[name], rows))
        for name, path in packed:
            archive.write(path, name)
    return out.getvalue()


def _csv(table: sa.Table, rows: list[dict]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly only with the mark
    writer = csv.writer(out)
    columns = list(table.c.keys())
    writer.writerow(columns)
    for row in rows:
        cells = [row.get(c) for c in columns]
        writer.writerow(
            "" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
            for v in cells
        )
    return out.getvalue()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def _revisions() -> list[str]:
    try:
        return sorted(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    except sa.exc.DBAPIError:
        db.session.rollback()
        return []


# --- import -----------------------------------------------------------------------------------------


def read_archive(data: bytes) -> tuple[dict, list[dict], dict[str, list[dict]]]:
    """The manifest, the users and the rows of each table (file contents: ``archive_files``)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TransferError([f"不是辖区导出文件：{exc}"]) from None
    if manifest.get("format") != FORMAT:
        raise TransferError(["不是辖区导出文件（manifest.json 的 format 不符）"])
    if manifest.get("format_version") != FORMAT_VERSION:
        raise TransferError(
            [f"导出格式版本 {manifest.get('format_version')} 不受支持（支持 {FORMAT_VERSION}）"]
        )
    users = json.loads(archive.read(manifest["users"]["file"]))
    tables = {name: json.loads(archive.read(meta["file"])) for name, meta in manifest["tables"].items()}
    for name, meta in manifest["tables"].items():
        if len(tables[name]) != meta["rows"]:
            raise TransferError([f"{name}：文件有 {len(tables[name])} 行，清单记为 {meta['rows']} 行"])
    return manifest, users, tables


class _Ids:
    """Old id → new id, per table."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[int, int]] = {}

    def put(self, table: str, old: int, new: int) -> None:
        self.maps.setdefault(table, {})[old] = new

    def get(self, table: str, old: Any) -> Any:
        if old is None or not isinstance(old, int):
            return old
        try:
            return self.maps[table][old]
        except KeyError:
            raise TransferError([f"引用了导出文件中没有的 {table} 第 {old} 行"]) from None


def _check(manifest: dict, users: list[dict], tables: dict[str, list[dict]]) -> list[str]:
    problems = []
    known = db.metadata.tables
    for name, rows in tables.items():
        if name not in known:
            if rows:  # an empty table of a plugin not installed here loses nothing
                problems.append(f"本平台没有数据表 {name}（缺少相应插件？）")
            continue
        columns = set(known[name].c.keys())
        extra = {k for row in rows for k in row} - columns
        if extra:
            problems.append(f"{name}：本平台没有这些列：{'、'.join(sorted(extra))}（版本较旧？先升级数据库）")
    codes = [r["code"] for r in tables.get(NODES, [])]
    if codes:
        taken = db.session.scalars(sa.select(TenantNode.code).where(TenantNode.code.in_(codes))).all()
        if taken:
            problems.append("单位编码已存在：" + "、".join(sorted(taken)))
    users_table = known[USERS]
    holders = [u["username"] for u in users if u.get("holds_roles_here")]
    if holders:
        taken = db.session.scalars(
            sa.select(users_table.c.username).where(users_table.c.username.in_(holders))
        ).all()
        if taken:
            problems.append("用户名已存在（本辖区用户不能并入已有账号）：" + "、".join(sorted(taken)))
    return problems


def archive_files(data: bytes, manifest: dict) -> dict[tuple[str, str, int], tuple[bytes, dict]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = {}
    for item in manifest.get("files", []):
        try:
            content = archive.read(item["file"])
        except KeyError:
            raise TransferError([f"清单中的文件 {item['file']} 不在压缩包中"]) from None
        out[(item["table"], item["column"], item["row"])] = (content, item)
    return out


def _insert(table: sa.Table, values: dict) -> int:
    result = db.session.execute(table.insert().values(**values))
    return result.inserted_primary_key[0]


def _import_users(users: list[dict], ids: _Ids) -> tuple[int, int]:
    """Role holders are created (without a password); other users the rows name (a platform admin who
    edited the plan) become the same username here if it exists, else a new account without a password."""
    table = db.metadata.tables[USERS]
    created = matched = 0
    for user in users:
        existing = db.session.scalar(sa.select(table.c.id).where(table.c.username == user["username"]))
        if existing is not None and not user.get("holds_roles_here"):
            ids.put(USERS, user["id"], existing)
            matched += 1
            continue
        values = {
            k: _in(table.c[k], v)
            for k, v in user.items()
            if k in table.c and k not in ("id", "password_hash")
        }
        ids.put(USERS, user["id"], _insert(table, values))
        created += 1
    return created, matched


def _remap_snapshot(snapshot: Any, entity: sa.Table | None, ids: _Ids) -> Any:
    """Ids inside an event's before/after: keys that are foreign keys (or copied tenant columns) of the
    event's entity, and a node's path."""
    if not isinstance(snapshot, dict) or entity is None:
        return snapshot
    out = dict(snapshot)
    for key, value in snapshot.items():
        if key == "path" and entity.name == NODES and isinstance(value, str):
            out[key] = _remap_path(value, ids)
        elif key in entity.c and key != "id":
            target = _target(entity.c[key])
            if target is not None and isinstance(value, int):
                out[key] = ids.maps.get(target, {}).get(value, value)
    return out


def _remap_path(path: str, ids: _Ids) -> str:
    parts = [p for p in path.split("/") if p]
    mapped = [str(ids.maps.get(NODES, {}).get(int(p), p)) if p.isdigit() else p for p in parts]
    return "/" + "".join(f"{p}/" for p in mapped)


def _target(column: sa.Column) -> str | None:
    """The table whose ids ``column`` holds. A column may sit in several foreign keys: ``jurisdiction_id``
    refers to the tree's ``id`` and is also part of every colocated key (→ ``debts.jurisdiction_id``)."""
    for fk in sorted(column.foreign_keys, key=lambda fk: fk.column.table.name):
        if fk.column.name == "id":
            return fk.column.table.name
    if column.name in COPIED_NODE_COLUMNS:
        return NODES
    return None


def _kept(table: sa.Table, values: dict) -> dict:
    """Columns an UPDATE would stamp (``updated_at``), kept at their exported value."""
    return {c.name: values.get(c.name, sa.literal_column(c.name)) for c in table.c if c.onupdate is not None}


def _row_values(table: sa.Table, row: dict, ids: _Ids) -> dict:
    values = {}
    for key, value in row.items():
        column = table.c[key]
        if column.primary_key:
            continue
        target = _target(column)
        if target is not None and value is not None:
            if target == table.name and value not in ids.maps.get(target, {}):
                value = None  # a reference to a later row of the same table: set after (see _late)
            else:
                value = ids.get(target, value)
        values[key] = _in(column, value)
    if table.name == "events":
        entity = db.metadata.tables.get(ENTITY_TABLES.get(row["entity_type"], row["entity_type"]))
        if entity is not None and entity.name in ids.maps:
            values["entity_id"] = ids.maps[entity.name].get(row["entity_id"], row["entity_id"])
        values["before"] = _remap_snapshot(values.get("before"), entity, ids)
        values["after"] = _remap_snapshot(values.get("after"), entity, ids)
    return values


def import_jurisdiction(data: bytes) -> dict[str, Any]:
    """Create the archive's jurisdiction here with new ids. Run in the system scope; the caller commits.

    Refused as a whole (``TransferError``) when a table or column is unknown here, or a unit code or a
    role holder's username is taken."""
    manifest, users, tables = read_archive(data)
    problems = _check(manifest, users, tables)
    if problems:
        raise TransferError(problems)
    files = archive_files(data, manifest)
    specs = {(f.table, f.column): f for f in stored_files()}
    unknown = sorted({f"{t}.{c}" for t, c, _ in files} - {f"{t}.{c}" for t, c in specs})
    if unknown:
        raise TransferError([f"本平台没有保存这些文件的插件：{'、'.join(unknown)}"])
    written: list[Path] = []
    try:
        return _import(manifest, users, tables, files, specs, written)
    except BaseException:
        for path in written:  # the rows roll back; their files go too
            path.unlink(missing_ok=True)
        raise


def _place_file(spec: StoredFiles, content: bytes, item: dict, jurisdiction_id: int, written: list) -> str:
    suffix = Path(item["file"]).suffix
    relative = f"{int(jurisdiction_id)}/{uuid.uuid4().hex}{suffix}"
    target = Path(spec.root()) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    written.append(target)
    return str(target) if item.get("absolute") else relative


def _import(manifest, users, tables, files, specs, written) -> dict[str, Any]:
    by_row: dict[tuple[str, int], list] = {}
    for (table_name, column, old_id), packed in files.items():
        by_row.setdefault((table_name, old_id), []).append((column, packed))
    ids = _Ids()
    users_created, users_matched = _import_users(users, ids)
    nodes = db.metadata.tables[NODES]
    counts: dict[str, int] = {}
    for table in tenant_tables():
        rows = tables.get(table.name)
        if not rows:
            continue
        late: list[tuple[int, str, Any]] = []
        for row in rows:
            values = _row_values(table, row, ids)
            for key, old in row.items():
                if key in values and values[key] is None and old is not None and _target(table.c[key]):
                    late.append((row["id"], key, old))
            if table.name == NODES:
                values["path"] = ""
            for column, (content, item) in by_row.get((table.name, row["id"]), []):
                jurisdiction = ids.get(NODES, row["jurisdiction_id"])
                values[column] = _place_file(
                    specs[(table.name, column)], content, item, jurisdiction, written
                )
            new_id = _insert(table, values)
            ids.put(table.name, row["id"], new_id)
            if table.name == NODES:
                parent = row["parent_id"]
                parent_path = (
                    db.session.scalar(sa.select(nodes.c.path).where(nodes.c.id == ids.get(NODES, parent)))
                    if parent is not None
                    else "/"
                )
                db.session.execute(
                    nodes.update()
                    .where(nodes.c.id == new_id)
                    .values(path=f"{parent_path}{new_id}/", **_kept(nodes, values))
                )
        for old_id, key, old in late:  # self references to rows inserted later (a node's own jurisdiction)
            new_id = ids.get(table.name, old_id)
            db.session.execute(
                table.update()
                .where(table.c.id == new_id)
                .values({key: ids.get(_target(table.c[key]), old), **_kept(table, {})})
            )
        counts[table.name] = len(rows)
    db.session.flush()
    code = manifest["jurisdiction"]["code"]
    node = db.session.scalar(sa.select(TenantNode).where(TenantNode.code == code))
    return {
        "jurisdiction": node,
        "tables": counts,
        "users_created": users_created,
        "users_matched": users_matched,
        "files": len(written),
    }
