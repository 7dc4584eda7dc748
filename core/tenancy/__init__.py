"""The tenant tree, the request's scope, and the automatic isolation that follows from it."""

from core.tenancy.scope import Scope, current_scope, scope_context, system_scope

__all__ = ["Scope", "current_scope", "scope_context", "system_scope"]
