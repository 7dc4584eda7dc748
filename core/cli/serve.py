"""`qingqian serve`: the embedded server (SQLite, in-process jobs and scheduler) for one machine.

Production runs gunicorn (`gunicorn 'core:create_app()'`), rq workers and `qingqian scheduler` instead.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=5000, show_default=True, type=int, help="监听端口")
@click.option("--no-scheduler", is_flag=True, help="不在本进程运行定时任务")
@with_appcontext
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """启动内置服务器（演示与单机部署）。"""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if not no_scheduler and not app.config.get("REDIS_URL"):
        try:
            from core.jobs.schedule import start_embedded_scheduler
        except ImportError:
            start_embedded_scheduler = None
        if start_embedded_scheduler is not None:
            start_embedded_scheduler(app)
    click.echo(f"清欠平台已启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def commands() -> list:
    return [serve]
