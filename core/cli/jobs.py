"""``qingqian worker``, ``qingqian scheduler`` and ``qingqian jobs ...``: running and inspecting jobs."""

from __future__ import annotations

import contextlib
import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from core import clock
from core.extensions import db
from core.jobs.models import JOB_STATUS_LABELS, Job, JobStatus
from core.tenancy.scope import system_scope


@click.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的作业后退出")
@with_appcontext
def worker_command(burst: bool) -> None:
    """运行 rq 作业进程（需要配置 QINGQIAN_REDIS_URL）。"""
    from rq import SimpleWorker

    from core.jobs.backends import make_queue

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "未配置 Redis（环境变量 QINGQIAN_REDIS_URL）。单机模式下作业在网页进程内运行，无需启动 worker。"
        )
    queue = make_queue(current_app)
    # SimpleWorker runs jobs in this process, inside this app context: the app (engine, plugins) is built
    # once per worker process. Run more `qingqian worker` processes to run more jobs at once.
    # with_scheduler: delayed retries (enqueue_in) are moved to the queue when due.
    worker = SimpleWorker([queue], connection=queue.connection)
    click.echo(f"作业进程已启动，队列：{queue.name}")
    worker.work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="只检查一次到期的定时任务后退出")
@click.option("--interval", default=30, show_default=True, type=int, help="检查间隔（秒）")
@with_appcontext
def scheduler_command(once: bool, interval: int) -> None:
    """运行定时任务调度（每个辖区每个时段只运行一次，多个调度进程也不会重复）。"""
    from core.jobs.liveness import recover_interrupted
    from core.jobs.schedule import run_due, run_forever

    app = current_app._get_current_object()
    if once:
        recovered = recover_interrupted(app)
        if recovered:
            click.echo(f"已处理 {len(recovered)} 个运行中断的作业（重新排队或标记失败）")
        started = run_due(app=app)
        click.echo(f"已排队 {len(started)} 个作业")
        for job_id in started:
            click.echo(job_id)
        return
    click.echo(f"定时任务调度已启动，每 {interval} 秒检查一次（按 Ctrl+C 停止）")
    with contextlib.suppress(KeyboardInterrupt):
        run_forever(app, interval=interval)


jobs = AppGroup("jobs", help="后台作业：查看与手动运行。")


@jobs.command("list")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]), default=None, help="按状态筛选")
@click.option("--tenant", "tenant_code", default=None, help="只看该辖区的作业")
@click.option("--limit", default=50, show_default=True, type=int)
def list_command(status: str | None, tenant_code: str | None, limit: int) -> None:
    """列出最近的作业。"""
    with system_scope():
        stmt = db.select(Job).order_by(Job.created_at.desc()).limit(limit)
        if status:
            stmt = stmt.where(Job.status == status)
        if tenant_code:
            stmt = stmt.where(Job.jurisdiction_id == _tenant(tenant_code).id)
        rows = list(db.session.scalars(stmt))
        if not rows:
            click.echo("没有作业")
            return
        for job in rows:
            progress = f"{job.progress_done}/{job.progress_total}" if job.progress_total else "-"
            created = clock.to_local(job.created_at)
            line = (
                f"{job.id}  {job.name:<20} {JOB_STATUS_LABELS.get(JobStatus(job.status), job.status):<6} "
                f"{progress:>11}  尝试 {job.attempts}/{job.max_attempts}  {created:%Y-%m-%d %H:%M}"
            )
            click.echo(line)
            if job.error:
                click.echo(f"    错误：{job.error}")


def _tenant(code: str):
    from core.tenancy.models import TenantNode

    node = db.session.scalar(db.select(TenantNode).where(TenantNode.code == code))
    if node is None:
        raise click.ClickException(f"找不到编码为 {code} 的辖区")
    if node.parent_id is not None:
        raise click.ClickException(f"{code} 不是辖区（顶层单位）")
    return node


def _parse_params(values: tuple[str, ...]) -> dict:
    params = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"参数应写成 名称=值：{item}", param_hint="--param")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


@jobs.command("run")
@click.argument("name")
@click.option("--tenant", "tenant_code", required=True, help="辖区编码")
@click.option("--param", "param_values", multiple=True, help="作业参数，名称=值（可重复）")
def run_command(name: str, tenant_code: str, param_values: tuple[str, ...]) -> None:
    """为一个辖区运行作业（系统身份，整个辖区范围），打印作业编号。

    配置了 Redis 时交给 worker 运行；否则在本命令中直接运行完再退出。
    """
    from core.jobs import UnknownJob, create_job, job_registry
    from core.jobs.backends import InlineBackend, get_backend
    from core.plugins import get_pm

    app = current_app._get_current_object()
    params = _parse_params(param_values)
    with system_scope():
        tenant = _tenant(tenant_code)
        try:
            job = create_job(name, params=params, unit=tenant, system=True)
        except UnknownJob as exc:
            known = "、".join(sorted(job_registry(get_pm()))) or "无"
            raise click.ClickException(f"{exc}（可用作业：{known}）") from exc
        job_id = job.id
        db.session.commit()
    click.echo(job_id)
    # Without Redis there is no worker to hand the job to, and a thread would die with this command.
    backend = get_backend(app) if app.config.get("REDIS_URL") else InlineBackend(app)
    backend.submit(job_id)
    if backend.name == "inline":
        with system_scope():
            job = db.session.get(Job, job_id, populate_existing=True)
            label = JOB_STATUS_LABELS.get(JobStatus(job.status), job.status)
            click.echo(f"{label}：{job.message or ''}", err=True)
            if job.error:
                click.echo(f"错误：{job.error}", err=True)


def commands() -> list:
    return [worker_command, scheduler_command, jobs]
