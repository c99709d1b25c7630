"""The schema is the reference documentation (issue 16): every type, field,
argument, input field and enum value has a description, found by introspection
(default-deny: whatever the code adds is checked), and no field answers untyped
`JSON` unless it is deprecated for a typed one."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from graphql import get_introspection_query, graphql_sync

from schema.root import build_schema
from server import _log_unexpected
from settings import Settings
from tests.helpers import gql, sign_up

BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def introspect() -> dict[str, Any]:
    schema = build_schema(Settings(), on_unexpected=_log_unexpected)
    result = graphql_sync(
        schema._schema,
        get_introspection_query(
            descriptions=True, specified_by_url=True, input_value_deprecation=True
        ),
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["__schema"]


def _named(ref: dict[str, Any]) -> str:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return str(ref["name"])


def undescribed(data: dict[str, Any]) -> list[str]:
    """Every type, field, argument, input field and enum value without a
    description (blank counts as none), as `Type`, `Type.field`,
    `Type.field(arg)`, `Input.field` or `Enum.VALUE`."""
    missing: list[str] = []

    def lacks(item: dict[str, Any]) -> bool:
        return not (item.get("description") or "").strip()

    for type_ in data["types"]:
        name = type_["name"]
        if name.startswith("__") or name in BUILT_IN:
            continue
        if lacks(type_):
            missing.append(name)
        for field in type_.get("fields") or []:
            if lacks(field):
                missing.append(f"{name}.{field['name']}")
            missing.extend(
                f"{name}.{field['name']}({arg['name']})"
                for arg in field["args"]
                if lacks(arg)
            )
        missing.extend(
            f"{name}.{field['name']}"
            for field in type_.get("inputFields") or []
            if lacks(field)
        )
        missing.extend(
            f"{name}.{value['name']}"
            for value in type_.get("enumValues") or []
            if lacks(value)
        )
    return missing


def untyped_json(data: dict[str, Any]) -> list[str]:
    """Fields and input fields of type JSON that are not deprecated."""
    found: list[str] = []
    for type_ in data["types"]:
        if type_["name"].startswith("__"):
            continue
        for field in (type_.get("fields") or []) + (type_.get("inputFields") or []):
            if _named(field["type"]) == "JSON" and not field.get("isDeprecated"):
                found.append(f"{type_['name']}.{field['name']}")
    return found


def test_the_introspection_covers_every_kind_of_schema_member() -> None:
    data = introspect()
    kinds = {t["kind"] for t in data["types"] if not t["name"].startswith("__")}
    assert {"OBJECT", "INPUT_OBJECT", "ENUM", "INTERFACE", "SCALAR"} <= kinds
    assert any(t.get("enumValues") for t in data["types"])
    assert any(f["args"] for t in data["types"] for f in t.get("fields") or [])


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = undescribed(introspect())
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_no_undeprecated_field_is_untyped_json() -> None:
    found = untyped_json(introspect())
    assert not found, "JSON fields that are not deprecated:\n" + "\n".join(found)


def test_the_check_sees_a_missing_description() -> None:
    data = {
        "types": [
            {
                "name": "Thing",
                "kind": "OBJECT",
                "description": "A thing.",
                "fields": [
                    {
                        "name": "size",
                        "description": " ",
                        "args": [{"name": "unit", "description": None}],
                        "type": {"name": "JSON", "ofType": None},
                    }
                ],
            },
            {
                "name": "Kind",
                "kind": "ENUM",
                "description": "",
                "enumValues": [
                    {"name": "A", "description": "An A."},
                    {"name": "B", "description": None},
                ],
            },
        ]
    }
    assert undescribed(data) == ["Thing.size", "Thing.size(unit)", "Kind", "Kind.B"]
    assert untyped_json(data) == ["Thing.size"]


CREATE_KEY = """
mutation K($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { apiKey { id prefix } userErrors { code } }
}
"""
EVENTS = """
{ viewer { securityEvents(first: 5) { nodes { kind details { key value } } } } }
"""


async def test_security_event_details_are_typed_pairs(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, CREATE_KEY, {"input": {"name": "ci"}}, token=token)
    key = body["data"]["createApiKey"]["apiKey"]
    body = await gql(client, EVENTS, token=token)
    events = body["data"]["viewer"]["securityEvents"]["nodes"]
    assert events[0]["kind"] == "API_KEY_CREATED"
    assert [d["key"] for d in events[0]["details"]] == ["apiKeyId", "name", "prefix"]
    assert events[0]["details"][1:] == [
        {"key": "name", "value": "ci"},
        {"key": "prefix", "value": key["prefix"]},
    ]
    assert events[-1] == {"kind": "SIGNED_UP", "details": []}
