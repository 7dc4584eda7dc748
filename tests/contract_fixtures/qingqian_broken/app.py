"""The broken plugin's model and routes."""

from __future__ import annotations

from decimal import Decimal

from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import ForeignKey, Integer, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.api.base import ApiError, Blueprint
from core.auth.permissions import permission
from core.extensions import db
from core.models.base import UnitOwned
from core.tenancy.isolation import SKIP_FILTER


class BrokenNote(UnitOwned, db.Model):
    __tablename__ = "broken_notes"
    __url_param__ = "broken_note_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    # Wrong on purpose: a key to another tenant table without the jurisdiction (colocated_fk is right).
    debt_id: Mapped[int | None] = mapped_column(ForeignKey("debts.id"))


blp = Blueprint("broken", __name__, url_prefix="/broken", description="反例插件")


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    text = fields.String()
    amount = fields.Float()  # wrong: money must be core.api.Money


class LooseSchema(Schema):
    class Meta:
        unknown = INCLUDE

    amount = fields.Float()


def _unfiltered(stmt):
    return db.session.scalars(stmt, execution_options={SKIP_FILTER: True})


@blp.route("/notes")
class NoteList(MethodView):
    @permission("broken.read")
    @blp.response(200, NoteSchema(many=True))
    def get(self):
        return list(_unfiltered(db.select(BrokenNote)))

    @permission("broken.read")
    @blp.arguments(LooseSchema)
    @blp.response(200, NoteSchema)
    def post(self, data):
        if "text" not in data:
            raise ApiError(422, "text is required")
        return {"text": data["text"], "amount": data.get("amount")}


@blp.route("/notes/<int:broken_note_id>")
class NoteItem(MethodView):
    @permission("broken.read")
    @blp.response(200, NoteSchema)
    def get(self, broken_note_id):
        note = _unfiltered(db.select(BrokenNote).where(BrokenNote.id == broken_note_id)).first()
        if note is None:
            raise ApiError(404, "not found")
        return note
