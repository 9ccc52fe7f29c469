"""Who may call what. Each field names the roles it admits; a missing or bad token is
UNAUTHENTICATED, a wrong role FORBIDDEN, both as GraphQL errors with `extensions.code`."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from api.auth import Principal, Role


def unauthenticated(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})


def forbidden(message: str = "not allowed for this role") -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})


def require_principal(info: Info) -> Principal:
    ctx = info.context
    if ctx.auth_error is not None:
        raise unauthenticated(str(ctx.auth_error))
    if ctx.principal is None:
        raise unauthenticated("sign in: send 'Authorization: Bearer <token>'")
    return ctx.principal


class _Roles(BasePermission):
    roles: ClassVar[frozenset[Role]]

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = require_principal(info)
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(r.value for r in self.roles))
            raise forbidden(f"only {allowed} may do this")
        return True


class Authenticated(_Roles):
    roles = frozenset(Role)


class MemberOnly(_Roles):
    roles = frozenset({Role.MEMBER})


class Staff(_Roles):
    """Every caller that may look at any member: integrations, marketers, admins."""

    roles = frozenset({Role.INTEGRATION, Role.MARKETER, Role.ADMIN})


class Integrations(_Roles):
    roles = frozenset({Role.INTEGRATION, Role.ADMIN})


class Marketers(_Roles):
    roles = frozenset({Role.MARKETER, Role.ADMIN})


class AdminOnly(_Roles):
    roles = frozenset({Role.ADMIN})
