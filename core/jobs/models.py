"""Background jobs as rows, so status, progress and results survive restarts and are tenant-scoped."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models.base import UnitOwned, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: "排队中",
    JobStatus.RUNNING: "运行中",
    JobStatus.RETRYING: "等待重试",
    JobStatus.SUCCEEDED: "已完成",
    JobStatus.FAILED: "失败",
}


class Job(UnitOwned, db.Model):
    __tablename__ = "jobs"
    __url_param__ = "job_id"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    plugin: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    params: Mapped[dict | None] = mapped_column(JSON)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Written while an attempt runs (core.jobs.liveness): a running job whose heartbeat stops was cut off.
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    @property
    def percent(self) -> float | None:
        if not self.progress_total:
            return 100.0 if self.status == JobStatus.SUCCEEDED else None
        return round(100.0 * self.progress_done / self.progress_total, 1)

    @property
    def rate(self) -> float | None:
        """Items per second since the job started."""
        if not self.started_at or not self.progress_done:
            return None
        end = self.finished_at or utcnow()
        seconds = (end - self.started_at).total_seconds()
        return round(self.progress_done / seconds, 1) if seconds > 0 else None
