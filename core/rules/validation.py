"""Validation issues raised by core and plugin rules (``qingqian_validate_debt``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    field: str
    message: str
    level: str = "error"  # "error" refuses the save; "warning" is kept with the record

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "level": self.level}


class ValidationFailed(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))
        self.issues = issues

    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for issue in self.issues:
            out.setdefault(issue.field, []).append(issue.message)
        return out
