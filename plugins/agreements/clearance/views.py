"""Server-rendered pages of the clearance part: agreements, installment payments, the interest statement."""

from __future__ import annotations

import datetime as dt
from decimal import InvalidOperation
from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from core import clock, list_exports
from core.api.money import parse_money
from core.auth.context import current_user
from core.auth.permissions import permission
from core.extensions import db
from core.models.debt import PAYMENT_METHOD_LABELS, Debt, Payment
from core.rules.validation import ValidationFailed
from core.services.debts import PaymentRefused
from core.web.views import get_visible_or_404, page_number, paginate_stmt
from plugins.agreements.clearance import interest, list_export, scans, service
from plugins.agreements.clearance.models import (
    CLASS_LABELS,
    STEP_LABELS,
    Agreement,
    DebtClass,
    Installment,
    InstallmentPayment,
    StepKind,
)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
bp = Blueprint("agreements_ui", __name__, url_prefix="/agreements", template_folder=str(TEMPLATES))


@bp.route("/debts/<int:debt_id>/interest")
@permission("agreements.read")
def interest_statement(debt_id: int):
    debt = get_visible_or_404(Debt, debt_id)
    try:
        as_of = dt.date.fromisoformat(request.args.get("as_of", "")) if request.args.get("as_of") else None
    except ValueError:
        as_of = None
    result = interest.statement(debt, as_of or clock.today())
    return render_template("agreements/interest.html", debt=debt, s=result)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _flash_errors(exc: ValidationFailed) -> None:
    for issue in exc.issues:
        flash(issue.message, "error")


@bp.route("/")
@permission("agreements.read")
def agreements():
    rows, pager = paginate_stmt(list_export.statement(), page_number())
    office = g.principal.jurisdiction
    missing = service.missing_plans(office) if office is not None else None
    return render_template(
        "agreements/list.html",
        agreements=rows,
        pager=pager,
        missing=missing,
        totals=list_export.totals(),
    )


@bp.route("/export.xlsx")
@permission("agreements.read")
def agreements_export():
    """Every agreement in scope, in the reader's unit with a 合计 row (in the background when long)."""
    return list_exports.respond(list_export.AGREEMENTS_EXPORT, request.args)


@bp.route("/new", methods=["GET", "POST"])
@permission("agreements.write")
def agreement_new():
    debts = list(
        db.session.scalars(
            db.select(Debt).where(Debt.status.in_(service.CLASSIFIABLE)).order_by(Debt.id.desc()).limit(500)
        ).unique()
    )
    form = request.form
    if request.method == "POST":
        debt = get_visible_or_404(Debt, int(form.get("debt_id") or 0))
        if not g.principal.can_at("agreements.write", debt.unit):
            abort(403)
        installments = []
        for due, amount in zip(form.getlist("due_on"), form.getlist("amount"), strict=False):
            if due or amount:
                try:
                    installments.append({"due_on": dt.date.fromisoformat(due), "amount": parse_money(amount)})
                except (ValueError, InvalidOperation):
                    flash("分期的日期或金额格式不正确", "error")
                    return render_template("agreements/new.html", debts=debts, form=form), 422
        try:
            agreed_amount = parse_money(form.get("agreed_amount") or "0")
        except ValueError as exc:
            flash(f"协议金额：{exc}", "error")
            return render_template("agreements/new.html", debts=debts, form=form), 422
        try:
            agreement, warnings = service.create_agreement(
                debt,
                {
                    "agreed_amount": agreed_amount,
                    "signed_on": _date(form.get("signed_on")),
                    "planned_method": form.get("planned_method") or "transfer",
                    "late_reason": form.get("late_reason"),
                    "installments": installments,
                },
                actor=current_user(),
            )
        except (ValidationFailed, service.Conflict, InvalidOperation) as exc:
            db.session.rollback()
            if isinstance(exc, ValidationFailed):
                _flash_errors(exc)
            else:
                flash(getattr(exc, "message", "协议金额格式不正确"), "error")
            return render_template("agreements/new.html", debts=debts, form=form), 422
        db.session.commit()
        for w in warnings:
            flash(w.message, "warning")
        flash("还款协议已登记", "success")
        return redirect(url_for("agreements_ui.agreement_detail", agreement_id=agreement.id))
    return render_template("agreements/new.html", debts=debts, form=form)


@bp.route("/agreements/<int:agreement_id>")
@permission("agreements.read")
def agreement_detail(agreement_id: int):
    agreement = get_visible_or_404(Agreement, agreement_id)
    links = {
        link.payment_id: link.installment
        for link in db.session.scalars(
            db.select(InstallmentPayment).where(
                InstallmentPayment.installment_id.in_([i.id for i in agreement.installments])
            )
        )
    }
    payments = list(
        db.session.scalars(db.select(Payment).where(Payment.id.in_(list(links))).order_by(Payment.paid_on))
    )
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        payments=payments,
        links=links,
        methods=PAYMENT_METHOD_LABELS,
        can_write=g.principal.can_at("agreements.write", agreement.debt.unit),
        today=clock.today(),
    )


@bp.route("/installments/<int:installment_id>/pay", methods=["POST"])
@permission("agreements.write")
def installment_pay(installment_id: int):
    inst = get_visible_or_404(Installment, installment_id)
    if not g.principal.can_at("agreements.write", inst.agreement.debt.unit):
        abort(403)
    form = request.form
    try:
        data = {
            "paid_on": dt.date.fromisoformat(form.get("paid_on") or ""),
            "amount": parse_money(form.get("amount") or ""),
            "method": form.get("method") or "transfer",
            "wage_amount": parse_money(form.get("wage_amount") or "0"),
            "evidence": form.get("evidence") or None,
        }
        service.pay_installment(inst, data, actor=current_user())
    except PaymentRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except (ValueError, InvalidOperation):
        db.session.rollback()
        flash("付款日期或金额格式不正确", "error")
    else:
        db.session.commit()
        flash(f"第{inst.seq}期付款已登记", "success")
    return redirect(url_for("agreements_ui.agreement_detail", agreement_id=inst.agreement_id))


@bp.route("/agreements/<int:agreement_id>/scan", methods=["POST"])
@permission("agreements.write")
def agreement_scan(agreement_id: int):
    agreement = get_visible_or_404(Agreement, agreement_id)
    if not g.principal.can_at("agreements.write", agreement.debt.unit):
        abort(403)
    upload = request.files.get("file")
    data = upload.stream.read(scans.max_bytes() + 1) if upload else b""
    try:
        relative, mime = scans.store(
            agreement.jurisdiction_id, data, (upload.filename if upload else "") or ""
        )
    except ValidationFailed as exc:
        _flash_errors(exc)
    else:
        service.attach_scan(
            agreement, relative, mime, upload.filename or "scan", len(data), actor=current_user()
        )
        db.session.commit()
        flash("协议扫描件已上传", "success")
    return redirect(url_for("agreements_ui.agreement_detail", agreement_id=agreement.id))


@bp.route("/debts/<int:debt_id>/classification", methods=["GET", "POST"])
@permission("agreements.read")
def classification(debt_id: int):
    debt = get_visible_or_404(Debt, debt_id)
    can_write = g.principal.can_at("agreements.write", debt.unit)
    if request.method == "POST":
        if not can_write:
            abort(403)
        try:
            if request.form.get("action") == "step":
                row = service.classification_of(debt.id)
                if row is None:
                    abort(404)
                step_on = dt.date.fromisoformat(request.form.get("started_on") or "")
                service.add_step(
                    row,
                    {
                        "kind": StepKind(request.form.get("kind")),
                        "started_on": step_on,
                        "ended_on": _date(request.form.get("ended_on")),
                        "outcome": request.form.get("outcome"),
                    },
                    actor=current_user(),
                )
                message = "处理步骤已记录"
            else:
                service.classify(
                    debt,
                    {
                        "debt_class": DebtClass(request.form.get("debt_class")),
                        "confirmed_on": _date(request.form.get("confirmed_on")),
                        "reason": request.form.get("reason"),
                    },
                    actor=current_user(),
                )
                message = "欠款分类已保存"
        except ValidationFailed as exc:
            db.session.rollback()
            _flash_errors(exc)
        except ValueError:
            db.session.rollback()
            flash("日期或类别格式不正确", "error")
        else:
            db.session.commit()
            flash(message, "success")
        return redirect(url_for("agreements_ui.classification", debt_id=debt.id))
    return render_template(
        "agreements/classification.html",
        debt=debt,
        row=service.classification_of(debt.id),
        classes=CLASS_LABELS,
        steps=STEP_LABELS,
        can_write=can_write,
    )


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@permission("agreements.write")
def payment_reverse(payment_id: int):
    payment = get_visible_or_404(Payment, payment_id)
    if not g.principal.can_at("agreements.write", payment.debt.unit):
        abort(403)
    link = db.session.scalar(db.select(InstallmentPayment).where(InstallmentPayment.payment_id == payment.id))
    try:
        service.reverse(payment, request.form.get("reason") or "", actor=current_user())
    except PaymentRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("付款已冲正（记录保留）", "success")
    if link is None:
        return redirect(url_for("web.debt_detail", debt_id=payment.debt_id))
    return redirect(url_for("agreements_ui.agreement_detail", agreement_id=link.installment.agreement_id))
