"""An org tree from an Excel sheet: columns 单位名称 / 上级单位 / 单位类型, one unit per row.

An empty 上级单位 means the jurisdiction itself; otherwise it names a unit above in the sheet or already in
the tree. Codes are made from the jurisdiction's code and a running number. A preview lists each row as
create / exists / error; nothing is written unless every row is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from core.extensions import db
from core.tenancy import service
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import NODE_KIND_LABELS, NodeKind, TenantNode

COLUMNS = ("单位名称", "上级单位", "单位类型")
KIND_BY_LABEL = {
    label: kind.value for kind, label in NODE_KIND_LABELS.items() if kind != NodeKind.JURISDICTION
}
KIND_BY_LABEL.update({"乡镇": "township", "镇": "township", "乡": "township", "国企": "soe"})


class OrgSheetError(ValueError):
    """The file is not a readable sheet with the three columns."""


@dataclass
class OrgRow:
    row: int
    name: str
    parent: str | None
    kind_text: str | None
    kind: str | None = None
    code: str | None = None
    action: str = "create"
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "name": self.name,
            "parent": self.parent,
            "kind": self.kind,
            "kind_label": NODE_KIND_LABELS.get(NodeKind(self.kind)) if self.kind else self.kind_text,
            "code": self.code,
            "action": "error" if self.errors else self.action,
            "errors": self.errors,
        }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_sheet(stream: IO[bytes]) -> list[OrgRow]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(stream, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise OrgSheetError("无法读取该文件，请上传 Excel（.xlsx）文件") from exc
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next((i for i, row in enumerate(rows[:10]) if COLUMNS[0] in [_text(c) for c in row]), None)
    if header_at is None:
        raise OrgSheetError("找不到表头：需要 单位名称、上级单位、单位类型 三列")
    header = [_text(c) for c in rows[header_at]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OrgSheetError("缺少列：" + "、".join(missing))
    at = {c: header.index(c) for c in COLUMNS}
    out = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = list(row) + [None] * len(header)
        name = _text(cells[at["单位名称"]])
        if not name:
            continue
        out.append(
            OrgRow(number, name, _text(cells[at["上级单位"]]) or None, _text(cells[at["单位类型"]]) or None)
        )
    if not out:
        raise OrgSheetError("表中没有任何单位")
    return out


def _existing(jurisdiction: TenantNode) -> list[TenantNode]:
    return list(
        db.session.scalars(
            db.select(TenantNode).where(TenantNode.jurisdiction_id == jurisdiction.id),
            execution_options={SKIP_FILTER: True},
        )
    )


def plan_rows(jurisdiction: TenantNode, rows: list[OrgRow]) -> list[OrgRow]:
    """Decide each row: its kind, its code, create or exists, or what is wrong with it."""
    existing = _existing(jurisdiction)
    by_name = {n.name: n for n in existing}
    codes = {n.code for n in existing}
    sheet_names: dict[str, OrgRow] = {}
    counter = len(existing)
    for row in rows:
        if row.name in sheet_names:
            row.errors.append(f"单位名称与第{sheet_names[row.name].row}行重复")
            continue
        sheet_names[row.name] = row
        if row.kind_text is None:
            row.errors.append("请填写单位类型")
        elif row.kind_text not in KIND_BY_LABEL:
            row.errors.append("单位类型无效，应为：" + "、".join(sorted(set(KIND_BY_LABEL) - {"乡", "镇"})))
        else:
            row.kind = KIND_BY_LABEL[row.kind_text]
        if (
            row.parent
            and row.parent not in by_name
            and row.parent not in sheet_names
            and row.parent != jurisdiction.name
        ):
            row.errors.append(f"找不到上级单位“{row.parent}”（须在本表靠前的行或已有单位中）")
        node = by_name.get(row.name)
        if node is not None:
            row.action, row.code = "exists", node.code
            continue
        counter += 1
        code = f"{jurisdiction.code}.u{counter}"
        while code in codes:
            counter += 1
            code = f"{jurisdiction.code}.u{counter}"
        codes.add(code)
        row.code = code
    return rows


def apply_rows(jurisdiction: TenantNode, rows: list[OrgRow], actor) -> int:
    """Create the rows planned as ``create`` (every row valid), parents first. Returns how many."""
    nodes = {n.name: n for n in _existing(jurisdiction)}
    created = 0
    for order, row in enumerate(rows):
        if row.action != "create":
            continue
        parent = jurisdiction if not row.parent or row.parent == jurisdiction.name else nodes[row.parent]
        nodes[row.name] = service.create_node(
            code=row.code, name=row.name, kind=row.kind, parent=parent, actor=actor, sort_order=order
        )
        created += 1
    db.session.flush()
    return created
