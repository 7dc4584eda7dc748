"""Users, the roles they hold at tree nodes, and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.extensions import db
from core.models.base import Timestamps, utcnow


class Role(enum.StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    OFFICE_ADMIN = "office_admin"
    UNIT_CLERK = "unit_clerk"
    UNIT_HEAD = "unit_head"
    SOE_GROUP_ADMIN = "soe_group_admin"
    LEADER = "leader"
    AUDITOR = "auditor"
    # Reads one register only (the restriction measures, for the finance bureau); no core permission.
    MEASURES_READER = "measures_reader"
    # Reads the migrant-wage linkage only (the 人社 bureau's liaison); no core permission.
    WAGE_LIAISON = "wage_liaison"


ROLE_LABELS = {
    Role.PLATFORM_ADMIN: "平台管理员",
    Role.OFFICE_ADMIN: "清欠办管理员",
    Role.UNIT_CLERK: "填报员",
    Role.UNIT_HEAD: "单位负责人（一把手）",
    Role.SOE_GROUP_ADMIN: "国企集团管理员",
    Role.LEADER: "领导（只读）",
    Role.AUDITOR: "审计（只读）",
    Role.MEASURES_READER: "财政部门（限制措施只读）",
    Role.WAGE_LIAISON: "人社部门（农民工工资联动只读）",
}


class User(Timestamps, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # "wan" or "yuan" for tables; NULL follows the plan (see core.units).
    money_unit: Mapped[str | None] = mapped_column(String(8))

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def set_password(self, password: str) -> None:
        from flask import current_app, has_app_context

        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        self.password_hash = generate_password_hash(password, method=method or "scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return self.display_name or self.username


class RoleAssignment(db.Model):
    """A role held at a node (and so over its subtree). Platform admins hold theirs at no node."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "node_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("tenant_nodes.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship(back_populates="roles")


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        token = "qq_" + secrets.token_urlsafe(32)
        row = cls(user_id=user.id, name=name, token_hash=cls.hash(token), prefix=token[:10])
        return row, token


class UserSession(db.Model):
    """A signed-in browser. The cookie carries only a random id; the row is what makes it valid, so logout,
    a password change or deactivation ends it at once (deleting the row), and the server keeps no secret
    of the user's in the cookie. Only the id's SHA-256 is stored, as for API tokens."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class PasswordSetToken(db.Model):
    """A one-time link that lets a new user choose a password (the first office admin of a hosted
    jurisdiction). Only the token's SHA-256 is stored; using it, or its expiry, ends it."""

    __tablename__ = "password_set_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()
