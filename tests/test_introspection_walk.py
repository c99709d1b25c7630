"""Every root field and subscription, found by introspection (so fields added
later are walked too), called with ids of every type: the caller's own objects,
another organization's, ids of every Node type, malformed ids and ids of types
that are not Nodes; anonymously, then as an organization's owner. No answer may
be an INTERNAL_ERROR or a server error."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from tests.factories import ready_resume
from tests.helpers import MASTER, PASSWORD, gql, sign_up

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECT = f"""
query Walk {{
  __schema {{
    queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }}
    types {{
      kind name
      fields {{ name args {{ name defaultValue type {{ {TYPE_REF} }} }}
               type {{ {TYPE_REF} }} }}
      inputFields {{ name defaultValue type {{ {TYPE_REF} }} }}
      enumValues {{ name }}
      possibleTypes {{ name }}
    }}
  }}
}}
"""
OWN_IDS = """
query Own {
  viewer {
    user { id } organization { id } apiKeys { id }
    securityEvents(first: 2) { edges { node { id } } }
  }
  resumes(first: 5) { edges { node { id } } }
}
"""
CREATE_KEY = 'mutation { createApiKey(input: {name: "walk"}) { secret } }'
LOG_IN = "mutation L($input: LogInInput!) { logIn(input: $input) { accessToken } }"
SCALARS: dict[str, Any] = {
    "String": "walk",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Date": "2024-01-01",
    "DateTime": "2024-01-01T00:00:00+00:00",
    "JSON": {},
    "Upload": None,
}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _named(ref: dict[str, Any]) -> dict[str, Any]:
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref


def _type_str(ref: dict[str, Any]) -> str:
    if ref["kind"] == "NON_NULL":
        return _type_str(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return f"[{_type_str(ref['ofType'])}]"
    return str(ref["name"])


class Schema:
    def __init__(self, introspection: dict[str, Any]) -> None:
        self.raw = introspection
        self.types = {t["name"]: t for t in introspection["types"]}

    def root(self, key: str) -> list[dict[str, Any]]:
        root = self.raw[key]
        return list(self.types[root["name"]]["fields"]) if root else []

    def node_types(self) -> list[str]:
        return sorted(t["name"] for t in self.types["Node"]["possibleTypes"])

    def non_node_objects(self) -> list[str]:
        nodes = set(self.node_types())
        return sorted(
            name
            for name, t in self.types.items()
            if t["kind"] == "OBJECT" and not name.startswith("__") and name not in nodes
        )

    def has_id(self, ref: dict[str, Any], depth: int = 0) -> bool:
        named = self.types[_named(ref)["name"]]
        if named["name"] == "ID":
            return True
        if named["kind"] != "INPUT_OBJECT" or depth > 4:
            return False
        return any(self.has_id(f["type"], depth + 1) for f in named["inputFields"])

    def value(self, ref: dict[str, Any], node_id: str, depth: int = 0) -> Any:
        if ref["kind"] == "NON_NULL":
            return self.value(ref["ofType"], node_id, depth)
        if ref["kind"] == "LIST":
            return [self.value(ref["ofType"], node_id, depth)]
        named = self.types[ref["name"]]
        if named["name"] == "ID":
            return node_id
        if named["kind"] == "ENUM":
            return named["enumValues"][0]["name"]
        if named["kind"] == "INPUT_OBJECT":
            out: dict[str, Any] = {}
            for field in named["inputFields"]:
                required = field["type"]["kind"] == "NON_NULL"
                wanted = required and field["defaultValue"] is None
                if (wanted or self.has_id(field["type"])) and depth < 4:
                    out[field["name"]] = self.value(field["type"], node_id, depth + 1)
            return out
        return SCALARS.get(named["name"], "walk")

    def selection(self, ref: dict[str, Any], depth: int = 0) -> str:
        named = self.types[_named(ref)["name"]]
        if named["kind"] in ("SCALAR", "ENUM"):
            return ""
        parts = ["__typename"]
        for field in named["fields"] or []:
            if any(a["type"]["kind"] == "NON_NULL" for a in field["args"]):
                continue
            inner = self.types[_named(field["type"])["name"]]
            if inner["kind"] in ("SCALAR", "ENUM"):
                parts.append(field["name"])
            elif depth < 2:
                parts.append(
                    f"{field['name']} {self.selection(field['type'], depth + 1)}"
                )
        return "{ " + " ".join(parts) + " }"

    def operations(
        self, kind: str, field: dict[str, Any], ids: list[str]
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The operation calling `field` once per id (once when it takes none)."""
        args = [
            a
            for a in field["args"]
            if a["type"]["kind"] == "NON_NULL" or self.has_id(a["type"])
        ]
        takes_id = any(self.has_id(a["type"]) for a in args)
        declared = ", ".join(f"${a['name']}: {_type_str(a['type'])}" for a in args)
        passed = ", ".join(f"{a['name']}: ${a['name']}" for a in args)
        text = (
            f"{kind} Walk{f'({declared})' if declared else ''} "
            f"{{ {field['name']}{f'({passed})' if passed else ''} "
            f"{self.selection(field['type'])} }}"
        )
        for node_id in ids if takes_id else [""]:
            yield text, {a["name"]: self.value(a["type"], node_id) for a in args}


def _internal_errors(body: Any) -> list[Any]:
    errors = body.get("errors") or [] if isinstance(body, dict) else body or []
    return [
        e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL_ERROR"
    ]


async def _own_ids(client: TestClient, token: str) -> list[str]:
    body = (await gql(client, OWN_IDS, token=token))["data"]
    viewer = body["viewer"]
    ids = [viewer["user"]["id"], viewer["organization"]["id"]]
    ids += [k["id"] for k in viewer["apiKeys"]]
    ids += [e["node"]["id"] for e in viewer["securityEvents"]["edges"]]
    ids += [e["node"]["id"] for e in body["resumes"]["edges"]]
    return ids


async def _member(client: TestClient, email: str) -> tuple[str, list[str]]:
    token = (await sign_up(client, email, email.split("@")[0]))["accessToken"]
    await gql(client, CREATE_KEY, token=token)
    await ready_resume(MASTER, email=email)
    return token, await _own_ids(client, token)


async def test_no_root_field_or_subscription_answers_internal_error(
    client: TestClient,
) -> None:
    token, own = await _member(client, "ada@example.com")
    _, foreign = await _member(client, "bob@example.com")
    body = await gql(client, INTROSPECT, token=token)
    schema = Schema(body["data"]["__schema"])
    ids = [
        *own,
        *foreign,
        *(_b64(f"{name}:1") for name in schema.node_types()),
        *(_b64(f"{name}:1") for name in schema.non_node_objects()),
        "",
        "not-a-global-id",
        _b64("no colon"),
        _b64("Resume:abc"),
        _b64(f"Resume:{2**63}"),
    ]
    credentials = {"token": token}

    async def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        for _ in range(2):
            headers = {"Authorization": f"Bearer {credentials['token']}"}
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers=headers if credentials["token"] else {},
            )
            assert response.status < 500, (query, variables, response.status)
            answer: dict[str, Any] = await response.json(content_type=None)
            if response.status != 401 or not credentials["token"]:
                return answer
            # a walked mutation ended the session (logOut, changePassword): again
            login = await gql(
                client,
                LOG_IN,
                {"input": {"email": "ada@example.com", "password": PASSWORD}},
            )
            credentials["token"] = login["data"]["logIn"]["accessToken"]
        return answer

    walked: list[str] = []
    for caller in ("anonymous", "owner"):
        credentials["token"] = token if caller == "owner" else ""
        for kind, key in (("query", "queryType"), ("mutation", "mutationType")):
            for field in schema.root(key):
                walked.append(field["name"])
                for query, variables in schema.operations(kind, field, ids):
                    answer = await call(query, variables)
                    assert _internal_errors(answer) == [], (
                        caller,
                        query,
                        variables,
                        answer,
                    )
    for field in schema.root("subscriptionType"):
        walked.append(field["name"])
        for query, variables in schema.operations("subscription", field, ids):
            ws = await client.ws_connect("/graphql", protocols=["graphql-transport-ws"])
            await ws.send_json(
                {
                    "type": "connection_init",
                    "payload": {"Authorization": f"Bearer {credentials['token']}"},
                }
            )
            assert json.loads((await ws.receive(timeout=5)).data)["type"] == (
                "connection_ack"
            )
            await ws.send_json(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
            try:
                message = await ws.receive(timeout=0.5)
            except TimeoutError:  # a live stream with nothing to say yet
                message = None
            if message is not None and message.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(message.data)
                payload = data.get("payload")
                assert _internal_errors(payload) == [], (query, variables, data)
            await ws.close()
    # the walk covered the foundation's fields and whatever was added since
    assert {"node", "viewer", "logOut", "securityEvents"} <= set(walked)
