"""The API's own definitions of the built-in date scalars: `DateTime` is an instant in
UTC with `@specifiedBy` (RFC 3339), `Date` a calendar day (ISO 8601)."""

from __future__ import annotations

import datetime as dt

from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition


def _utc(value: dt.datetime) -> str:
    """RFC 3339 in UTC; rows are stored timezone-aware (use_tz), a naive value is
    taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _parse_datetime(value: object) -> dt.datetime:
    """What strawberry's DateTime accepts (ISO 8601), converted to UTC."""
    assert DateTimeDefinition.parse_value is not None
    parsed: dt.datetime = DateTimeDefinition.parse_value(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


DATETIME = ScalarDefinition(
    name="DateTime",
    description="An instant, as an RFC 3339 string in UTC "
    '("2026-01-31T09:30:00+00:00"). Inputs with another offset are converted to UTC; '
    "inputs without one are taken as UTC.",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339",
    serialize=_utc,
    parse_value=_parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)
DATE = ScalarDefinition(
    name="Date",
    description='A calendar day, ISO 8601 ("2026-01-31"); days of insights and '
    "usage are UTC days.",
    specified_by_url="https://www.iso.org/iso-8601-date-and-time-format.html",
    serialize=dt.date.isoformat,
    parse_value=wrap_parser(dt.date.fromisoformat, "Date"),
    parse_literal=None,
    origin=dt.date,
)
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.datetime: DATETIME,
    dt.date: DATE,
}
