"""Mapping of service exceptions to `userErrors` entries."""

from __future__ import annotations

from schema.base import ErrorCode, UserError
from services.errors import ServiceError


def user_errors(exc: ServiceError, *, prefix: str = "input") -> list[UserError]:
    field = [prefix, *exc.field] if exc.field else None
    return [UserError(field=field, message=exc.message, code=ErrorCode(exc.code))]
