"""/api/v1/notifications: in-app messages (deadline reminders and the like) for the units the user works at.

A user reads the notifications of the units where they hold a role, not of every unit below them: an office
at the jurisdiction sees the office's reminder, not one copy per township. Reading marks the notification
read for everyone at the unit (it is addressed to the unit unless ``user_id`` is set).
"""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields

from core.api.base import ApiError, Blueprint, PageArgs, get_or_404, paginate
from core.auth.permissions import permission
from core.extensions import db
from core.models.base import utcnow
from core.models.notification import Notification

blp = Blueprint(
    "notifications", __name__, url_prefix="/notifications", description="站内通知（时间节点提醒等）"
)


class NotificationSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    level = fields.String(metadata={"description": "info / warning / urgent"})
    read_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class NotificationQuerySchema(PageArgs):
    unread = fields.Boolean(metadata={"description": "只看未读"})


def _own_unit_ids() -> list[int]:
    principal = g.principal
    if principal.jurisdiction is None:
        return []
    ids = {
        node.id
        for _role, node in principal.role_nodes
        if node is not None and node.jurisdiction_id == principal.jurisdiction.id
    }
    if any(node is None for _role, node in principal.role_nodes):
        ids.add(principal.jurisdiction.id)
    return sorted(ids)


def _mine(stmt):
    return stmt.where(
        Notification.unit_id.in_(_own_unit_ids()),
        db.or_(Notification.user_id.is_(None), Notification.user_id == g.principal.user.id),
    )


@blp.route("")
class NotificationList(MethodView):
    @permission("dashboard.read")
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    def get(self, args):
        """本单位的通知，最新的在前（可只看未读）"""
        stmt = _mine(db.select(Notification))
        if args.get("unread") is True:
            stmt = stmt.where(Notification.read_at.is_(None))
        elif args.get("unread") is False:
            stmt = stmt.where(Notification.read_at.is_not(None))
        rows, headers = paginate(stmt.order_by(Notification.created_at.desc(), Notification.id.desc()), args)
        return rows, 200, headers


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @permission("dashboard.read")
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """标记为已读"""
        note = get_or_404(Notification, notification_id)
        if db.session.scalar(_mine(db.select(Notification.id).where(Notification.id == note.id))) is None:
            raise ApiError(404)
        if note.read_at is None:
            note.read_at = utcnow()
            db.session.commit()
        return note
