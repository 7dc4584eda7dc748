"""What the current request, job or command may see.

The scope lives in a context variable, so queries anywhere pick it up without being passed it. With no
scope set, tenant-owned queries return nothing: forgetting the tenant is safe, never a leak.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """The active jurisdiction and, for unit users, the node ids of their subtrees.

    ``unit_ids is None`` means the whole jurisdiction. ``all_jurisdictions`` is only for system work
    (migrations, loaders, scheduled jobs before they narrow to a tenant) and platform-wide listings.
    """

    jurisdiction_id: int | None = None
    unit_ids: frozenset[int] | None = None
    all_jurisdictions: bool = False
    user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def system(cls) -> Scope:
        return cls(all_jurisdictions=True)

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    @property
    def is_empty(self) -> bool:
        return not self.all_jurisdictions and self.jurisdiction_id is None

    @property
    def whole_jurisdiction(self) -> bool:
        return self.all_jurisdictions or (self.jurisdiction_id is not None and self.unit_ids is None)

    def covers_unit(self, unit_id: int | None, jurisdiction_id: int | None = None) -> bool:
        if self.all_jurisdictions:
            return True
        if jurisdiction_id is not None and jurisdiction_id != self.jurisdiction_id:
            return False
        if self.unit_ids is None:
            return self.jurisdiction_id is not None
        return unit_id in self.unit_ids

    def rls_scope(self) -> tuple[bool, int | None]:
        """The arguments of ``qingqian_set_scope``, the scope PostgreSQL's row-level security compares."""
        if self.all_jurisdictions:
            return True, None
        return False, self.jurisdiction_id


# Scope is frozen, so sharing one default instance is safe.
_current: contextvars.ContextVar[Scope] = contextvars.ContextVar(
    "qingqian_scope",
    default=Scope.nothing(),  # noqa: B039
)
_listeners: list = []


def current_scope() -> Scope:
    return _current.get()


def on_scope_change(listener) -> None:
    """Register a callable run after every scope change (the database layer re-sets RLS settings)."""
    _listeners.append(listener)


def set_scope(scope: Scope) -> contextvars.Token:
    token = _current.set(scope)
    for listener in _listeners:
        listener(scope)
    return token


@contextlib.contextmanager
def scope_context(scope: Scope) -> Iterator[Scope]:
    token = set_scope(scope)
    try:
        yield scope
    finally:
        _current.reset(token)
        for listener in _listeners:
            listener(_current.get())


def system_scope() -> contextlib.AbstractContextManager[Scope]:
    return scope_context(Scope.system())
