"""``qingqian user ...`` and ``qingqian token ...``: accounts, roles and API tokens."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from core import clock
from core.auth.models import ROLE_LABELS, ApiToken, Role, RoleAssignment, User
from core.extensions import db
from core.models.base import utcnow
from core.tenancy import service
from core.tenancy.isolation import SKIP_FILTER
from core.tenancy.models import TenantNode
from core.tenancy.scope import system_scope

user_group = AppGroup("user", help="用户与角色管理。")
token_group = AppGroup("token", help="API 令牌管理。")

ROLE_CHOICE = click.Choice([r.value for r in Role])


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def find_user(username: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.username == username))


def ensure_user(
    username: str,
    role: str,
    node: TenantNode | None,
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[User, bool, bool]:
    """Create the user if missing and give it ``role`` at ``node`` if it lacks it.

    Returns ``(user, created, role_added)``. An existing user's password changes only when one is given.
    """
    if role != Role.PLATFORM_ADMIN and node is None:
        raise click.ClickException(f"角色 {role}（{ROLE_LABELS[Role(role)]}）必须用 --tenant 指定所在单位")
    if role == Role.PLATFORM_ADMIN:
        node = None  # platform admins stand above every tenant
    user = find_user(username)
    created = user is None
    if created:
        user = User(username=username, display_name=display_name or username)
        db.session.add(user)
    elif display_name:
        user.display_name = display_name
    if password:
        user.set_password(password)
    db.session.flush()
    has_role = any(
        a.role == role and a.node_id == (node.id if node else None) for a in user.roles
    )  # fmt: skip
    if not has_role:
        db.session.add(
            RoleAssignment(
                user_id=user.id,
                node_id=node.id if node else None,
                jurisdiction_id=node.jurisdiction_id if node else None,
                role=role,
            )
        )
        db.session.flush()
        db.session.refresh(user)
    return user, created, not has_role


def _node_label(node_id: int | None) -> str:
    if node_id is None:
        return "全平台"
    node = db.session.get(TenantNode, node_id, execution_options={SKIP_FILTER: True})
    return f"{node.name}（{node.code}）" if node else f"#{node_id}"


@user_group.command("create")
@click.argument("username")
@click.option("--tenant", "tenant_code", default=None, help="角色所在单位的编码（平台管理员不填）")
@click.option("--role", required=True, type=ROLE_CHOICE, help="角色")
@click.option("--password", default=None, help="密码；不填则为新用户随机生成并显示一次")
@click.option("--display-name", default=None, help="显示名称")
def create_user_command(
    username: str, tenant_code: str | None, role: str, password: str | None, display_name: str | None
) -> None:
    """新建用户，或为已有用户增加一个角色。"""
    with system_scope():
        node = None
        if tenant_code:
            node = service.find_by_code(tenant_code)
            if node is None:
                raise click.ClickException(f"找不到编码为 {tenant_code} 的单位")
        generated = None
        if password is None and find_user(username) is None:
            password = generated = generate_password()
        user, created, role_added = ensure_user(username, role, node, password, display_name)
        db.session.commit()
        where = _node_label(node.id if node and role != Role.PLATFORM_ADMIN else None)
        label = ROLE_LABELS[Role(role)]
        if created:
            click.echo(f"已创建用户 {user.username}，角色：{label}（{where}）")
        elif role_added:
            click.echo(f"用户 {user.username} 已存在，已增加角色：{label}（{where}）")
        else:
            click.echo(f"用户 {user.username} 已有角色：{label}（{where}），未作改动")
        if generated:
            click.echo(f"初始密码：{generated}（只显示这一次，请妥善保存）")


@user_group.command("list")
def list_users_command() -> None:
    """列出所有用户及其角色。"""
    with system_scope():
        users = list(db.session.scalars(db.select(User).order_by(User.username)))
        if not users:
            click.echo("（还没有用户）")
            return
        for user in users:
            roles = "；".join(
                f"{ROLE_LABELS.get(Role(a.role), a.role)}@{_node_label(a.node_id)}" for a in user.roles
            )
            state = "" if user.active else " [已停用]"
            click.echo(f"{user.username}\t{user.display_name}{state}\t{roles or '（无角色）'}")


@user_group.command("set-password")
@click.argument("username")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再次输入新密码")
def set_password_command(username: str, password: str) -> None:
    """修改用户密码。"""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    if len(password) < 8:
        raise click.ClickException("密码至少 8 位")
    user.set_password(password)
    db.session.commit()  # ends the user's login sessions (core.auth.sessions)
    click.echo(f"已修改 {username} 的密码，其登录会话已全部结束")


def _set_active(username: str, active: bool) -> User:
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    user.active = active
    db.session.commit()
    return user


@user_group.command("deactivate")
@click.argument("username")
def deactivate_user_command(username: str) -> None:
    """停用用户：立即结束其所有登录会话，令牌也不再可用。"""
    _set_active(username, False)
    click.echo(f"已停用用户 {username}，其登录会话已全部结束")


@user_group.command("activate")
@click.argument("username")
def activate_user_command(username: str) -> None:
    """重新启用已停用的用户（需重新登录）。"""
    _set_active(username, True)
    click.echo(f"已启用用户 {username}")


@token_group.command("create")
@click.option("--user", "username", required=True, help="令牌所属用户")
@click.option("--name", "label", default="cli", help="令牌用途说明")
def create_token_command(username: str, label: str) -> None:
    """生成 API 令牌。标准输出只有令牌本身，便于脚本使用：TOKEN=$(qingqian token create --user X)。"""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    if not user.active:
        raise click.ClickException(f"用户 {username} 已停用")
    row, token = ApiToken.issue(user, label)
    db.session.add(row)
    db.session.commit()
    click.echo(token)


@token_group.command("revoke")
@click.argument("prefix")
def revoke_token_command(prefix: str) -> None:
    """吊销令牌（给出令牌前缀或完整令牌）。"""
    if len(prefix) > 12:
        rows = list(
            db.session.scalars(db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(prefix)))
        )
    else:
        rows = list(db.session.scalars(db.select(ApiToken).where(ApiToken.prefix.startswith(prefix))))
    if not rows:
        raise click.ClickException(f"找不到前缀为 {prefix} 的令牌")
    if len(rows) > 1:
        raise click.ClickException(f"前缀 {prefix} 对应 {len(rows)} 个令牌，请给出更长的前缀")
    row = rows[0]
    if row.revoked_at is not None:
        click.echo(f"令牌 {row.prefix}… 早已吊销")
        return
    row.revoked_at = utcnow()
    db.session.commit()
    click.echo(f"已吊销令牌 {row.prefix}…（用户 {row.user.username}）")


@token_group.command("list")
@click.option("--user", "username", required=True, help="用户名")
def list_tokens_command(username: str) -> None:
    """列出用户的令牌：前缀、用途、创建时间、最近使用、吊销时间。"""
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"找不到用户 {username}")
    rows = list(
        db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )
    if not rows:
        click.echo(f"{username} 没有令牌")
        return

    def when(value) -> str:
        return clock.to_local(value).strftime("%Y-%m-%d %H:%M") if value else "-"  # stored UTC, shown local

    click.echo("前缀\t用途\t创建时间\t最近使用\t吊销时间")
    for row in rows:
        click.echo(
            f"{row.prefix}\t{row.name or '-'}\t{when(row.created_at)}\t{when(row.last_used_at)}\t"
            f"{when(row.revoked_at) if row.revoked_at else '有效'}"
        )


def commands() -> list[click.Command]:
    return [user_group, token_group]
