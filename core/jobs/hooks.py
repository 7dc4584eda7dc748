"""Core's jobs and schedules, registered on the same hooks plugins use (plugin name ``core-jobs``)."""

from __future__ import annotations

from core.jobs import builtin
from core.jobs.schedule import Schedule
from core.plugins import hookimpl

PLUGIN_LABEL = "后台作业"
PLUGIN_DESCRIPTION = "作业队列、定时任务、逾期重算与时间节点提醒"


@hookimpl
def qingqian_jobs():
    return {
        "recompute_debts": builtin.recompute_debts,
        "deadline_reminders": builtin.deadline_reminders,
    }


@hookimpl
def qingqian_schedules():
    return [
        Schedule(
            name="recompute_debts.nightly",
            job="recompute_debts",
            at="02:00",
            description="每晚重算逾期天数和逾期利息",
        ),
        Schedule(
            name="deadline_reminders.daily",
            job="deadline_reminders",
            at="08:00",
            description="工作方案时间节点到期前提醒各单位",
        ),
    ]
