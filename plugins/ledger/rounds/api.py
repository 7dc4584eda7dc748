"""/api/v1/ledger: rounds (opening, closing), the board, submissions and zero reports, sign-off, reopening,
diffs, flags, roll-ups and the .xlsx export."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from flask import Response, g, send_file
from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields, post_dump, validate

from core import clock
from core.api import XLSX, download_doc
from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.api.money import Money
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.base import utcnow
from core.tenancy.models import TenantNode
from plugins.ledger.rounds import export_files, service
from plugins.ledger.rounds import rollup as rollups
from plugins.ledger.rounds.export import export_ledger, export_rollup, export_submissions, plugin_columns
from plugins.ledger.rounds.models import (
    ACTIVE_SUBMISSION,
    ExportStatus,
    Flag,
    FlagKind,
    FlagStatus,
    LedgerExport,
    LedgerRound,
    Submission,
)

blp = Blueprint(
    "ledger-rounds",
    __name__,
    url_prefix="/ledger",
    description="台账填报轮次、报送与零报告、负责人签认、退回、比对、瞒报漏报提示、汇总与导出",
)


# --- Schemas -----------------------------------------------------------------------------------------


class RoundCreateSchema(Schema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "2023年台账摸排"}
    )
    as_of = fields.Date(load_default=None, metadata={"description": "统计截止日期（默认今天）"})
    deadline = fields.Date(
        load_default=None, metadata={"description": "报送截止日期（默认取工作方案的台账完成时限）"}
    )
    unit_ids = fields.List(
        fields.Integer(),
        load_default=None,
        metadata={"description": "报送单位（默认：所辖乡镇、部门、事业单位、国企）"},
    )


class RoundSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    as_of = fields.Date()
    deadline = fields.Date()
    status = fields.String()
    status_label = fields.String()
    office_id = fields.Integer()
    created_at = fields.DateTime()


class RoundCloseSchema(Schema):
    note = fields.String(
        load_default=None,
        validate=validate.Length(max=service.CLOSE_NOTE_MAX),
        metadata={"description": "结束说明（可选，记入变更历史）"},
    )


class SubmitSchema(Schema):
    unit_id = fields.Integer(load_default=None, metadata={"description": "报送单位（默认：本人所在单位）"})
    zero = fields.Boolean(load_default=False, metadata={"description": "零报告（无拖欠）"})
    statement = fields.String(
        load_default=None, validate=validate.Length(max=2000), metadata={"description": "情况说明"}
    )


class SubmissionSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda s: s.unit.name, metadata={"type": "string"})
    status = fields.String()
    status_label = fields.String()
    zero = fields.Boolean()
    statement = fields.String(allow_none=True)
    row_count = fields.Integer()
    total_owed = Money()
    total_paid = Money()
    total_outstanding = Money()
    submitted_at = fields.DateTime()
    submitted_by_name = fields.String(allow_none=True)
    late = fields.Boolean()
    signed_at = fields.DateTime(allow_none=True)
    signed_by_name = fields.String(allow_none=True)
    signoff_comment = fields.String(allow_none=True)
    reopened_at = fields.DateTime(allow_none=True)
    reopen_reason = fields.String(allow_none=True)


class SubmissionDetailSchema(SubmissionSchema):
    rows = fields.List(fields.Dict(), metadata={"description": "报送时的台账快照（不可更改）"})


class SignoffSchema(Schema):
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class ReopenSchema(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=2000), metadata={"description": "退回原因"}
    )


class FlagQuerySchema(PageArgs):
    round = fields.Integer(load_default=None)
    unit = fields.Integer(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in FlagKind]))
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in FlagStatus]))


class FlagSchema(Schema):
    id = fields.Integer()
    round_id = fields.Integer()
    round_name = fields.Function(lambda f: f.round.name)
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda f: f.unit.name)
    submission_id = fields.Integer(allow_none=True)
    debt_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    details = fields.Dict()
    status = fields.String()
    status_label = fields.String()
    resolution_note = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by_name = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ResolveSchema(Schema):
    note = fields.String(
        required=True, validate=validate.Length(min=1, max=2000), metadata={"description": "核实处理情况"}
    )


class DiffQuerySchema(Schema):
    unit = fields.Integer(load_default=None)
    against = fields.Integer(
        load_default=None, metadata={"description": "对比的轮次（默认：该单位上一次报送）"}
    )


class SummaryQuerySchema(Schema):
    by = fields.String(load_default="unit", validate=validate.OneOf(list(rollups.DIMENSIONS)))
    unit = fields.Integer(
        load_default=None, metadata={"description": "按单位汇总时的上级单位（默认：本人所在层级）"}
    )


class ExportQuerySchema(Schema):
    by = fields.String(
        load_default="ledger",
        validate=validate.OneOf(["ledger", *rollups.DIMENSIONS]),
        metadata={"description": "ledger 为完整台账，其余为汇总维度"},
    )
    unit = fields.Integer(load_default=None)
    round = fields.Integer(load_default=None, metadata={"description": "导出某一轮次各单位报送的台账快照"})
    as_of = fields.Date(
        load_default=None, metadata={"description": "标题中的截至日期（默认今天或轮次的统计截止日期）"}
    )


# --- Board and diff responses -----------------------------------------------------------------------
# board_json and diff_json are these schemas' dumps: the schemas are the serialisers, so the documented
# shape cannot drift from what the endpoints (and the diff page) get.


class RoundBoardCountsSchema(Schema):
    units = fields.Integer(metadata={"description": "应报单位数"})
    submitted = fields.Integer(metadata={"description": "已报送（含待签认、已签认、零报告）"})
    signed = fields.Integer(metadata={"description": "已签认"})
    awaiting_signoff = fields.Integer(metadata={"description": "已报送待签认"})
    late = fields.Integer(metadata={"description": "逾期报送"})
    missing = fields.Integer(metadata={"description": "未报送"})
    overdue = fields.Integer(metadata={"description": "未报送且已过截止日期"})
    zero_reports = fields.Integer(metadata={"description": "零报告"})
    debts = fields.Integer(metadata={"description": "报送的欠款笔数"})


class RoundBoardAmountsSchema(Schema):
    owed = Money(metadata={"description": "报送的欠款金额合计（元）"})
    paid = Money(metadata={"description": "报送的已付金额合计（元）"})
    outstanding = Money(metadata={"description": "报送的未付余额合计（元）"})


class RoundBoardUnitSchema(Schema):
    """One unit's row of the board (a ``service.BoardRow``)."""

    unit_id = fields.Integer(attribute="unit.id")
    unit_name = fields.String(attribute="unit.name")
    kind = fields.String(attribute="unit.kind")
    kind_label = fields.String(attribute="unit.kind_label")
    state = fields.String(validate=validate.OneOf(list(service.BOARD_STATE_LABELS)))
    state_label = fields.String()
    late = fields.Boolean(metadata={"description": "逾期报送"})
    overdue = fields.Boolean(metadata={"description": "未报送且已过截止日期"})
    reopened = fields.Integer(metadata={"description": "被清欠办退回的次数"})
    submission = fields.Nested(
        SubmissionSchema, allow_none=True, metadata={"description": "当前有效的报送（未报送时为空）"}
    )


class RoundBoardSchema(Schema):
    round = fields.Nested(RoundSchema)
    counts = fields.Nested(RoundBoardCountsSchema)
    amounts = fields.Nested(RoundBoardAmountsSchema)
    units = fields.List(fields.Nested(RoundBoardUnitSchema))


class LedgerSnapshotRowSchema(Schema):
    """One debt as the unit reported it (``service.snapshot_row``). A snapshot never changes, so it goes
    out exactly as stored: these fields document it, the post-dump hook returns the stored row."""

    class Meta:
        unknown = INCLUDE

    debt_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    creditor_name = fields.String()
    credit_code = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    contract_no = fields.String(allow_none=True)
    category = fields.String()
    source = fields.String()
    status = fields.String()
    origin_date = fields.String(allow_none=True, metadata={"format": "date"})
    due_date = fields.String(allow_none=True, metadata={"format": "date"})
    overdue_days = fields.Integer()
    amount_owed = Money()
    undisputed_amount = Money()
    disputed_amount = Money()
    paid_amount = Money()
    outstanding = Money()
    migrant_wages = fields.Boolean()

    @post_dump(pass_original=True)
    def _as_stored(self, data, original, **kwargs):
        return dict(original)


class RoundDiffChangeSchema(Schema):
    before = fields.Raw(allow_none=True, metadata={"type": "string", "description": "上次报送的值"})
    after = fields.Raw(allow_none=True, metadata={"type": "string", "description": "本次报送的值"})


class RoundDiffChangesSchema(Schema):
    """Only the fields that changed are present (``service.DIFF_FIELDS``)."""

    amount_owed = fields.Nested(RoundDiffChangeSchema)
    paid_amount = fields.Nested(RoundDiffChangeSchema)
    outstanding = fields.Nested(RoundDiffChangeSchema)
    status = fields.Nested(RoundDiffChangeSchema)


class RoundDiffChangedSchema(Schema):
    debt_id = fields.Integer()
    creditor_name = fields.String(allow_none=True)
    project_name = fields.String(allow_none=True)
    changes = fields.Nested(RoundDiffChangesSchema)
    outstanding_delta = Money(metadata={"description": "未付余额变化（元，减少为负）"})


class RoundDiffTotalsSchema(Schema):
    before = Money(metadata={"description": "上次报送的未付余额（元）"})
    after = Money(metadata={"description": "本次报送的未付余额（元）"})
    added = Money(metadata={"description": "新增欠款的未付余额（元）"})
    removed = Money(metadata={"description": "消失欠款的未付余额（元）"})
    change = Money(metadata={"description": "未付余额变化（元）"})


class RoundDiffUnitSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    submission_id = fields.Integer()
    against_round_id = fields.Integer(allow_none=True, metadata={"description": "对比的轮次（无则为空）"})
    against_submission_id = fields.Integer(allow_none=True)
    added = fields.List(fields.Nested(LedgerSnapshotRowSchema), metadata={"description": "新增的欠款"})
    removed = fields.List(fields.Nested(LedgerSnapshotRowSchema), metadata={"description": "消失的欠款"})
    changed = fields.List(fields.Nested(RoundDiffChangedSchema), metadata={"description": "金额或状态变化"})
    totals = fields.Nested(RoundDiffTotalsSchema)


class RoundDiffSchema(Schema):
    round = fields.Nested(RoundSchema)
    against = fields.Nested(RoundSchema, allow_none=True, metadata={"description": "指定的对比轮次"})
    units = fields.List(fields.Nested(RoundDiffUnitSchema))


# --- Helpers -----------------------------------------------------------------------------------------


def domain(func):
    """Turn the service's refusals into JSON errors naming the field."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except service.RoundError as exc:
            raise ApiError(
                exc.status, exc.message, {exc.field: [exc.message]} if exc.field else None
            ) from exc

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__dict__.update(func.__dict__)
    return wrapper


def visible_unit(unit_id: int) -> TenantNode:
    """A unit through the isolation filter: one outside the caller's subtrees does not exist (404)."""
    unit = db.session.scalar(db.select(TenantNode).where(TenantNode.id == unit_id))
    if unit is None:
        raise ApiError(404, "单位不存在")
    return unit


def home_unit() -> TenantNode:
    """Where the caller stands: the jurisdiction for office-wide roles, else their first unit."""
    principal = g.principal
    if principal.scope.whole_jurisdiction and principal.jurisdiction is not None:
        return principal.jurisdiction
    for _role, node in principal.role_nodes:
        if node is not None:
            return node
    raise ApiError(404, "单位不存在")


def require_at(perm: str, node: TenantNode | None) -> None:
    if node is None or not g.principal.can_at(perm, node):
        raise ApiError(403, "您在该单位没有此操作的权限")


def submitting_unit(rnd: LedgerRound, unit_id: int | None) -> TenantNode:
    if unit_id is not None:
        unit = visible_unit(unit_id)
        require_at("ledger.submit", unit)
        return unit
    in_round = {ru.unit_id: ru.unit for ru in service.round_units(rnd)}
    for _role, node in g.principal.role_nodes:
        if node is not None and node.id in in_round and g.principal.can_at("ledger.submit", node):
            return in_round[node.id]
    raise ApiError(422, errors={"unit_id": ["请指定报送单位"]})


def round_json(rnd: LedgerRound) -> dict:
    return RoundSchema().dump(rnd)


def board_data(rnd: LedgerRound) -> dict:
    """The board as objects, for ``RoundBoardSchema`` to dump."""
    b = service.board(rnd)
    return {"round": rnd, "counts": b.counts, "amounts": b.amounts, "units": b.rows}


def board_json(rnd: LedgerRound) -> dict:
    return RoundBoardSchema().dump(board_data(rnd))


def diff_data(rnd: LedgerRound, unit_id: int | None, against_id: int | None) -> dict:
    """Each unit's live submission against its previous one (or the given round's): ``RoundDiffSchema``."""
    against = get_or_404(LedgerRound, against_id) if against_id is not None else None
    if unit_id is not None:
        visible_unit(unit_id)
    stmt = db.select(Submission).where(
        Submission.round_id == rnd.id, Submission.status.in_(ACTIVE_SUBMISSION)
    )
    if unit_id is not None:
        stmt = stmt.where(Submission.unit_id == unit_id)
    units = []
    for sub in db.session.scalars(stmt.order_by(Submission.unit_id)).unique():
        if against is not None:
            old = service.active_submission(against.id, sub.unit_id)
        else:
            old = service.previous_submission(rnd, sub.unit_id)
        result = service.diff_rows(old.rows if old else [], sub.rows)
        units.append(
            {
                "unit_id": sub.unit_id,
                "unit_name": sub.unit.name,
                "submission_id": sub.id,
                "against_round_id": old.round_id if old else None,
                "against_submission_id": old.id if old else None,
                **result,
            }
        )
    return {"round": rnd, "against": against, "units": units}


def diff_json(rnd: LedgerRound, unit_id: int | None, against_id: int | None) -> dict:
    return RoundDiffSchema().dump(diff_data(rnd, unit_id, against_id))


def summary_parent(unit_id: int | None) -> TenantNode:
    return visible_unit(unit_id) if unit_id is not None else home_unit()


def xlsx_response(data: IO[bytes], filename: str) -> Response:
    """The workbook as a download; the file (a temporary one) is streamed and closed after sending."""
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=filename)


def build_export(args: dict, progress: Callable[[int, int], None] | None = None) -> tuple[IO[bytes], str]:
    """The workbook for GET export.xlsx and for background exports; ``progress(done, total)`` in rows."""
    progress = progress or (lambda done, total: None)
    jurisdiction = g.principal.jurisdiction
    if jurisdiction is None:
        raise ApiError(404)
    reporter = summary_parent(args.get("unit"))
    today = clock.today(jurisdiction)
    if args.get("round") is not None:
        rnd = get_or_404(LedgerRound, args["round"])
        subs = db.session.scalars(
            db.select(Submission)
            .where(Submission.round_id == rnd.id, Submission.status.in_(ACTIVE_SUBMISSION))
            .order_by(Submission.unit_id)
        ).unique()
        rows = [row for sub in subs for row in sub.rows]
        as_of = args.get("as_of") or rnd.as_of
        data = export_submissions(rows, jurisdiction=jurisdiction, reporter=reporter, as_of=as_of)
        progress(len(rows), len(rows))
        return data, f"{rnd.name}台账（截至{as_of:%Y%m%d}）.xlsx"
    as_of = args.get("as_of") or today
    by = args.get("by") or "ledger"
    if by == "ledger":
        parent = reporter if args.get("unit") is not None else None
        total = rollups.ledger_count(parent)
        data = export_ledger(
            rollups.ledger_debts(parent),
            jurisdiction=jurisdiction,
            reporter=reporter,
            as_of=as_of,
            extra=plugin_columns(jurisdiction),
            progress=lambda done: progress(done, total),
        )
        return data, f"拖欠中小企业账款台账（截至{as_of:%Y%m%d}）.xlsx"
    result = rollups.rollup(by, reporter if by == "unit" else None)
    data = export_rollup(result, jurisdiction=jurisdiction, reporter=reporter, as_of=as_of)
    progress(len(result.rows), len(result.rows))
    return data, f"拖欠中小企业账款汇总表{result.label}（截至{as_of:%Y%m%d}）.xlsx"


# --- Rounds ------------------------------------------------------------------------------------------


@blp.route("/rounds")
class RoundList(MethodView):
    @permission("ledger.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, RoundSchema(many=True))
    def get(self, args):
        """填报轮次列表（单位用户只看到本单位参与的轮次）"""
        stmt = db.select(LedgerRound).order_by(LedgerRound.as_of.desc(), LedgerRound.id.desc())
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("ledger.rounds.manage")
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    @domain
    def post(self, data):
        """开启填报轮次：名称、统计截止日期、报送截止日期（默认取工作方案时限）、报送单位（默认全部）"""
        office = g.principal.jurisdiction
        if office is None:
            raise ApiError(404)
        require_at("ledger.rounds.manage", office)
        units = [visible_unit(i) for i in data["unit_ids"]] if data.get("unit_ids") is not None else None
        rnd = service.open_round(
            office,
            name=data["name"],
            as_of=data.get("as_of"),
            deadline=data.get("deadline"),
            units=units,
            actor=current_user(),
        )
        db.session.commit()
        return rnd, 201, {"Location": f"/api/v1/ledger/rounds/{rnd.id}"}


@blp.route("/rounds/<int:round_id>")
class RoundItem(MethodView):
    @permission("ledger.read")
    @blp.response(200, RoundSchema)
    def get(self, round_id):
        """查看填报轮次"""
        return get_or_404(LedgerRound, round_id)


@blp.route("/rounds/<int:round_id>/close")
class RoundClose(MethodView):
    @permission("ledger.rounds.manage")
    @blp.arguments(RoundCloseSchema, required=False)
    @blp.response(200, RoundSchema)
    @domain
    def post(self, data, round_id):
        """结束填报轮次（可附说明，记入变更历史）：结束后不再接受报送、零报告、签认和退回，看板保留最终状态"""
        rnd = get_or_404(LedgerRound, round_id)
        require_at("ledger.rounds.manage", rnd.office)
        service.close_round(rnd, actor=current_user(), note=data.get("note"))
        db.session.commit()
        return rnd


@blp.route("/rounds/<int:round_id>/board")
class RoundBoard(MethodView):
    @permission("ledger.read")
    @blp.response(200, RoundBoardSchema)
    def get(self, round_id):
        """报送进度看板：各单位已报送 / 已签认 / 逾期报送 / 未报送，笔数与金额"""
        return board_data(get_or_404(LedgerRound, round_id))


@blp.route("/rounds/<int:round_id>/submissions")
class RoundSubmissions(MethodView):
    @permission("ledger.read")
    @blp.response(200, SubmissionSchema(many=True))
    def get(self, round_id):
        """本轮全部报送记录（含被退回的历史记录）"""
        rnd = get_or_404(LedgerRound, round_id)
        return list(
            db.session.scalars(
                db.select(Submission).where(Submission.round_id == rnd.id).order_by(Submission.id)
            ).unique()
        )

    @permission("ledger.submit")
    @blp.arguments(SubmitSchema)
    @blp.response(201, SubmissionDetailSchema)
    @domain
    def post(self, data, round_id):
        """报送本单位台账（系统自动固化未清偿欠款快照并锁定），或以 zero=true 报送零报告（须附说明）"""
        rnd = get_or_404(LedgerRound, round_id)
        unit = submitting_unit(rnd, data.get("unit_id"))
        sub = service.submit(
            rnd, unit, actor=current_user(), zero=data["zero"], statement=data.get("statement")
        )
        db.session.commit()
        return sub, 201, {"Location": f"/api/v1/ledger/submissions/{sub.id}"}


@blp.route("/rounds/<int:round_id>/diff")
class RoundDiff(MethodView):
    @permission("ledger.read")
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200, RoundDiffSchema)
    def get(self, args, round_id):
        """与上一轮（或指定轮次）比对：各单位新增、消失、金额变化的欠款"""
        rnd = get_or_404(LedgerRound, round_id)
        return diff_data(rnd, args.get("unit"), args.get("against"))


# --- Submissions -------------------------------------------------------------------------------------


@blp.route("/submissions/<int:submission_id>")
class SubmissionItem(MethodView):
    @permission("ledger.read")
    @blp.response(200, SubmissionDetailSchema)
    def get(self, submission_id):
        """查看报送的台账快照"""
        return get_or_404(Submission, submission_id)


@blp.route("/submissions/<int:submission_id>/signoff")
class SubmissionSignoff(MethodView):
    @permission("ledger.signoff")
    @blp.arguments(SignoffSchema)
    @blp.response(200, SubmissionSchema)
    @domain
    def post(self, data, submission_id):
        """单位负责人签认（签认后报送才算完成）"""
        sub = get_or_404(Submission, submission_id)
        require_at("ledger.signoff", sub.unit)
        service.signoff(sub, actor=current_user(), comment=data.get("comment"))
        db.session.commit()
        return sub


@blp.route("/submissions/<int:submission_id>/send-back")
class SubmissionSendBack(MethodView):
    @permission("ledger.signoff")
    @blp.arguments(ReopenSchema)
    @blp.response(200, SubmissionSchema)
    @domain
    def post(self, data, submission_id):
        """单位负责人退回待签认的台账（须写明原因，记入变更历史），填报员修改后重新报送"""
        sub = get_or_404(Submission, submission_id)
        require_at("ledger.signoff", sub.unit)
        service.send_back(sub, reason=data["reason"], actor=current_user())
        db.session.commit()
        return sub


@blp.route("/submissions/<int:submission_id>/reopen")
class SubmissionReopen(MethodView):
    @permission("ledger.rounds.manage")
    @blp.arguments(ReopenSchema)
    @blp.response(200, SubmissionSchema)
    @domain
    def post(self, data, submission_id):
        """清欠办退回已报送的台账（须写明原因，记入变更历史），单位可重新报送"""
        sub = get_or_404(Submission, submission_id)
        require_at("ledger.rounds.manage", sub.round.office)
        service.reopen(sub, reason=data["reason"], actor=current_user())
        db.session.commit()
        return sub


# --- Flags -------------------------------------------------------------------------------------------


@blp.route("/flags")
class FlagList(MethodView):
    @permission("ledger.flags.read")
    @blp.arguments(FlagQuerySchema, location="query")
    @blp.response(200, FlagSchema(many=True))
    def get(self, args):
        """瞒报漏报提示（可按轮次、单位、类型、状态筛选）"""
        stmt = db.select(Flag).order_by(Flag.status.desc(), Flag.id.desc())
        if args.get("round"):
            stmt = stmt.where(Flag.round_id == args["round"])
        if args.get("unit"):
            unit = visible_unit(args["unit"])
            stmt = stmt.where(
                Flag.unit_id.in_(db.select(TenantNode.id).where(TenantNode.path.startswith(unit.path)))
            )
        if args.get("kind"):
            stmt = stmt.where(Flag.kind == args["kind"])
        if args.get("status"):
            stmt = stmt.where(Flag.status == args["status"])
        rows, headers = paginate(stmt, args)
        return rows, 200, headers


@blp.route("/flags/<int:flag_id>/resolve")
class FlagResolve(MethodView):
    @permission("ledger.rounds.manage")
    @blp.arguments(ResolveSchema)
    @blp.response(200, FlagSchema)
    def post(self, data, flag_id):
        """核实并关闭一条提示（须写明处理情况）"""
        flag = get_or_404(Flag, flag_id)
        resolve_flag(flag, data["note"])
        db.session.commit()
        return flag


def resolve_flag(flag: Flag, note: str) -> Flag:
    from core.services import history

    require_at("ledger.rounds.manage", flag.round.office)
    if flag.status == FlagStatus.RESOLVED:
        raise ApiError(409, "该提示已处理")
    note = (note or "").strip()
    if not note:
        raise ApiError(422, errors={"note": ["请填写核实处理情况"]})
    user = current_user()
    flag.status = FlagStatus.RESOLVED
    flag.resolution_note = note
    flag.resolved_at = utcnow()
    flag.resolved_by_id = user.id
    flag.resolved_by_name = user.label
    db.session.flush()
    history.record(flag, "flag_resolved", after={"status": flag.status}, actor=user, note=note)
    return flag


# --- Roll-ups and export -----------------------------------------------------------------------------


@blp.route("/summary")
class Summary(MethodView):
    @permission("ledger.read")
    @blp.arguments(SummaryQuerySchema, location="query")
    def get(self, args):
        """台账汇总：按单位（含下级，国企集团含子公司）、债务人类型、类别、状态、来源、发生月份"""
        parent = summary_parent(args.get("unit")) if args["by"] == "unit" else None
        return rollups.rollup(args["by"], parent).as_dict()


@blp.route("/export.xlsx")
class Export(MethodView):
    @permission("ledger.read")
    @blp.arguments(ExportQuerySchema, location="query")
    def get(self, args):
        """导出 Excel：完整台账或任一汇总表（标题行、单位：万元、合计行），或某轮次报送快照

        在本次请求中生成（约每秒 2,700 笔）；几万笔以上的完整台账请用 POST /exports 在后台生成并下载。
        """
        data, filename = build_export(args)
        return xlsx_response(data, filename)


# --- Background exports ------------------------------------------------------------------------------


class LedgerExportSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "running 正在生成 | ready 可下载 | failed | expired"})
    status_label = fields.String()
    params = fields.Dict(metadata={"description": "导出内容：by、unit、round、as_of（同 export.xlsx）"})
    filename = fields.String(allow_none=True)
    rows = fields.Integer(allow_none=True, metadata={"description": "写入的数据行数"})
    file_size = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    requested_by = fields.Function(lambda e: e.requested_by.label if e.requested_by else None)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    job_id = fields.String(allow_none=True)
    progress_done = fields.Method("_done")
    progress_total = fields.Method("_total")
    percent = fields.Method("_percent")
    download_url = fields.Method("_download")

    def _job(self, export):
        from core.jobs.models import Job

        if export.status != ExportStatus.RUNNING or not export.job_id:
            return None
        return db.session.get(Job, export.job_id)

    def _done(self, export) -> int | None:
        job = self._job(export)
        return job.progress_done if job else export.rows

    def _total(self, export) -> int | None:
        job = self._job(export)
        return job.progress_total if job else export.rows

    def _percent(self, export) -> float | None:
        job = self._job(export)
        return job.percent if job else (100.0 if export.status == ExportStatus.READY else None)

    def _download(self, export) -> str | None:
        return f"/api/v1/ledger/exports/{export.id}/file" if export.status == ExportStatus.READY else None


def start_export(args: dict) -> LedgerExport:
    """Check what the export names exists in scope, then queue it (404 now, not a failed job later)."""
    if g.principal.jurisdiction is None:
        raise ApiError(404)
    summary_parent(args.get("unit"))
    if args.get("round") is not None:
        get_or_404(LedgerRound, args["round"])
    return export_files.request_export(ExportQuerySchema().dump(args))


@blp.route("/exports")
class ExportList(MethodView):
    @permission("ledger.read")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, LedgerExportSchema(many=True))
    def get(self, args):
        """后台导出记录（最新在前）：生成进度、下载链接；文件保存若干天后删除，记录保留"""
        stmt = db.select(LedgerExport).order_by(LedgerExport.created_at.desc(), LedgerExport.id.desc())
        rows, headers = paginate(stmt, args)
        return rows, 200, headers

    @permission("ledger.read")
    @blp.arguments(ExportQuerySchema)
    @blp.response(202, LedgerExportSchema)
    def post(self, args):
        """在后台生成导出文件（完整台账可能需要几分钟）：返回导出记录，完成后从 download_url 下载"""
        export = start_export(args)
        return export, 202, {"Location": f"/api/v1/ledger/exports/{export.id}"}


@blp.route("/exports/<int:export_id>")
class ExportItem(MethodView):
    @permission("ledger.read")
    @blp.response(200, LedgerExportSchema)
    def get(self, export_id):
        """导出记录与生成进度"""
        return get_or_404(LedgerExport, export_id)


@blp.route("/exports/<int:export_id>/file")
class ExportFile(MethodView):
    @permission("ledger.read")
    @blp.doc(**download_doc(XLSX))
    def get(self, export_id):
        """下载已生成的导出文件（生成中或失败时 409，文件已过期时 410）"""
        export = get_or_404(LedgerExport, export_id)
        if export.status == ExportStatus.RUNNING:
            raise ApiError(409, "导出文件正在生成，请稍后再下载")
        if export.status == ExportStatus.FAILED:
            raise ApiError(409, export.error or "导出失败，请重新导出")
        path = export_files.file_of(export)
        try:
            # Opened at once: the daily clean-up may delete it between the check and the read.
            handle = path.open("rb") if path is not None else None
        except FileNotFoundError:
            handle = None
        if handle is None:
            raise ApiError(410, "导出文件已过保存期限并被删除，请重新导出")
        return xlsx_response(handle, export.filename or path.name)
