"""Mapping of service exceptions to `userErrors` entries."""

from __future__ import annotations

from schema.base import ErrorCode, UserError
from services.errors import ServiceError, ValidationFailed


def user_errors(exc: ServiceError, *, prefix: str = "input") -> list[UserError]:
    problems = exc.problems if isinstance(exc, ValidationFailed) else []
    if not problems:
        problems = [(exc.field, exc.message)]
    retry_after: int | None = getattr(exc, "retry_after", None)
    return [
        UserError(
            field=[prefix, *field] if field else None,
            message=message,
            code=ErrorCode(exc.code),
            retry_after=retry_after,
        )
        for field, message in problems
    ]
