"""The refusal every prevention service raises: the field and why, as the API's 422 ``errors``."""

from __future__ import annotations


class Refused(Exception):
    """``status``: 422 for input no state would make right; 409 when the plan or the record's state refuses
    well-formed input (a deposit kind the plan does not allow, a deposit already returned)."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors
        self.status = status
