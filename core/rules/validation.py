"""Validation issues raised by core and plugin rules (``qingqian_validate_debt``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    field: str
    message: str
    level: str = "error"  # "error" refuses the save; "warning" is kept with the record
    # The request is well formed but today's date, the plan or another record's state refuses it (a date
    # after today, a unit that is deactivated): the API answers 409 when every refusal is of this kind.
    conflict: bool = False

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "level": self.level}


class Refused(ValueError):
    """A core service refusing what it was asked (bad data, a forbidden transition, a payment that cannot be).

    Wherever one escapes a request, the app answers ``status`` (422) with the Chinese reasons by field,
    never 500: ``{"code": "validation_error", "message": ..., "errors": field_errors()}`` for the API, an
    error page for the browser. Plugins may raise or subclass it too.
    """

    status = 422

    def field_errors(self) -> dict[str, list[str]]:
        return {"_schema": [str(self)]}


class ValidationFailed(Refused):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{i.field}: {i.message}" for i in issues))
        self.issues = issues
        self.status = 409 if issues and all(i.conflict for i in issues) else 422

    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for issue in self.issues:
            out.setdefault(issue.field, []).append(issue.message)
        return out

    def field_errors(self) -> dict[str, list[str]]:
        return self.errors()
