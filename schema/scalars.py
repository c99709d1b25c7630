"""The API's own scalars: `DateTime` is an instant in UTC with `@specifiedBy`
(RFC 3339), `Date` a calendar day (ISO 8601), `PartialDate` a date of a profile
entry (YYYY, YYYY-MM or YYYY-MM-DD), `URL` a profile link. Fields keep `str` in
Python and name the scalar with `graphql_type=`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NewType

from graphql import GraphQLError
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


def _string(name: str) -> Callable[[object], str]:
    """A parser taking any string as it is (the services check the format, with a
    VALIDATION_ERROR naming the field, as every other input check); other JSON
    values are a variable error."""

    def parse(value: object) -> str:
        if not isinstance(value, str):
            raise GraphQLError(f"{name} cannot represent a non-string value: {value!r}")
        return value

    return parse


PartialDate = NewType("PartialDate", str)
"""A date of a profile entry as precise as it is known (in `graphql_type=`)."""
URL = NewType("URL", str)
"""A link of a profile (in `graphql_type=`)."""

PARTIAL_DATE = ScalarDefinition(
    name="PartialDate",
    description='A date as precise as it is known: a year ("2020"), a month '
    '("2020-03") or a day ("2020-03-15"), the W3C profiles of ISO 8601. Dates '
    "compare as strings. On input an empty string clears like null; another "
    "format is a VALIDATION_ERROR user error naming the field.",
    specified_by_url="https://www.w3.org/TR/NOTE-datetime",
    serialize=str,
    parse_value=_string("PartialDate"),
    parse_literal=None,
    origin=PartialDate,
)
URL_SCALAR = ScalarDefinition(
    name="URL",
    description='An absolute http(s) URL ("https://example.com/me"), at most 500 '
    "characters, without spaces. On input an empty string clears like null; "
    "anything else is a VALIDATION_ERROR user error naming the field.",
    specified_by_url="https://url.spec.whatwg.org/",
    serialize=str,
    parse_value=_string("URL"),
    parse_literal=None,
    origin=URL,
)
SCALAR_OVERRIDES[PartialDate] = PARTIAL_DATE
SCALAR_OVERRIDES[URL] = URL_SCALAR
