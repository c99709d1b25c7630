"""GraphQL over HTTP end to end: request parsing and status codes, the query limits
(size, depth, aliases, tokens, cost), error codes and masking, GET and GraphiQL, and
the plain routes /health and /metrics."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from settings import Settings
from tests.helpers import PASSWORD, gql, sign_up

GRAPHQL_RESPONSE = "application/graphql-response+json"
PING = "query Ping { plans { key } }"
PLAN_IDS = ["FREE", "STARTER", "PRO", "ENTERPRISE"]
SYNTAX_ERROR = "{ __typename "
UNKNOWN_FIELD = "{ nope }"
# No valid selection of this schema nests deeper than 5 levels
# (viewer.securityEvents.edges.node.user), and the depth rule skips introspection
# fields. A document nested 50 levels deep therefore names fields that do not exist;
# the depth rule runs first and reports before the unknown fields.
DEEP = "query Deep { viewer { user { " + "a { " * 48 + "id" + " }" * 48 + " } } }"
DEEP_INTROSPECTION = (
    "{ __schema { types { " + "fields { type { " * 6 + "name" + " } }" * 6 + " } } }"
)
ALIASES_1000 = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
ALIASES_30 = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"


def _operations(n: int) -> str:
    """n operations of 5 tokens each: `query Qi { __typename }`."""
    return " ".join(f"query Q{i} {{ __typename }}" for i in range(n))


# 4000 tokens is the limit; these 20 KB are far below the 100 KB body limit
TOKENS_4000 = _operations(800)
TOKENS_4005 = _operations(801)
TOKEN_LIMIT_MESSAGE = (
    "Syntax Error: Document contains more than 4000 tokens. Parsing aborted."
)
# Cost: 1 per field, and `first: n` multiplies the cost of the field's children.
# Event = 6 scalars + user (1 + 4) = 11; Page = edges (1 + cursor 1 + node 12)
# + nodes (1 + 11) + pageInfo (1 + 4) = 31; each connection = 1 + 31n;
# total = viewer 1 + 2 (1 + 31n) = 3 + 62n: n=80 costs 4963, n=81 costs 5025.
EXPENSIVE = """
query Expensive($n: Int!) {
  viewer {
    recent: securityEvents(first: $n) { ...Page }
    again: securityEvents(first: $n) { ...Page }
  }
}
fragment Page on SecurityEventConnection {
  edges { cursor node { ...Event } }
  nodes { ...Event }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
}
fragment Event on SecurityEvent {
  id kind ip userAgent detail createdAt
  user { id email name createdAt }
}
"""
CREATE_KEY = """
mutation CreateKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret userErrors { field message code } }
}
"""
LOG_IN = """
mutation LogIn($input: LogInInput!) { logIn(input: $input) { accessToken } }
"""
TWO_OPERATIONS = """
query A { __typename }
query B { plans { key } }
"""
FIRST_N = (
    "query Q($n: Int) { viewer { securityEvents(first: $n) { edges { cursor } } } }"
)
NODE = "query Node($id: ID!) { node(id: $id) { id } }"
EVENTS_AFTER = """
query Events($after: String) {
  viewer { securityEvents(first: 1, after: $after) { edges { cursor } } }
}
"""


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def _bad_request(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}


async def post_raw(
    client: TestClient,
    body: bytes | str,
    *,
    content_type: str = "application/json",
    accept: str | None = None,
) -> tuple[int, str, dict[str, Any]]:
    """POST a body as is; returns (status, content type, decoded JSON body)."""
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    response = await client.post("/graphql", data=body, headers=headers)
    decoded: dict[str, Any] = await response.json(content_type=None)
    return response.status, response.content_type, decoded


async def post_query(
    client: TestClient, query: str, *, accept: str | None = None
) -> tuple[int, str, dict[str, Any]]:
    return await post_raw(client, json.dumps({"query": query}), accept=accept)


# -- malformed requests: 400 whatever the Accept header ------------------------------


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
async def test_malformed_json_is_a_bad_request(
    client: TestClient, accept: str | None
) -> None:
    status, content_type, body = await post_raw(
        client, b'{"query": "{ __typename }"', accept=accept
    )
    assert status == 400
    assert content_type == (accept or "application/json")
    assert body == _bad_request("Malformed JSON in body")


async def test_only_json_bodies_are_accepted(client: TestClient) -> None:
    message = "Send the request as `Content-Type: application/json`"
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        status, _, body = await post_raw(
            client, "query=%7B__typename%7D", content_type=content_type
        )
        assert (status, body) == (415, _bad_request(message)), content_type


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "Request body is empty; send a JSON object with `query`"),
        (b"  \n", "Request body is empty; send a JSON object with `query`"),
        (
            b'[{"query": "{ __typename }"}]',
            "Batched requests are not supported; send one operation",
        ),
        (b'"{ __typename }"', "Request body must be a JSON object"),
        (b"{}", "A non-empty string `query` parameter is required"),
        (b'{"query": 1}', "A non-empty string `query` parameter is required"),
        (b'{"query": ["{ a }"]}', "A non-empty string `query` parameter is required"),
        (b'{"query": "   "}', "A non-empty string `query` parameter is required"),
        (
            b'{"query": "{ __typename }", "variables": [1]}',
            "`variables` must be a JSON object",
        ),
        (
            b'{"query": "{ __typename }", "extensions": "x"}',
            "`extensions` must be a JSON object",
        ),
        (
            b'{"query": "{ __typename }", "operationName": 5}',
            "`operationName` must be a string",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "batch",
        "string",
        "no-query",
        "int-query",
        "list-query",
        "blank-query",
        "list-variables",
        "string-extensions",
        "int-operation-name",
    ],
)
async def test_body_must_be_one_json_object_with_a_string_query(
    client: TestClient, raw: bytes, message: str
) -> None:
    status, content_type, body = await post_raw(client, raw)
    assert (status, content_type) == (400, "application/json")
    assert body == _bad_request(message)


async def test_unknown_operation_name_is_a_bad_request(client: TestClient) -> None:
    unknown = {"query": "query A { __typename }", "operationName": "B"}
    status, _, body = await post_raw(client, json.dumps(unknown))
    assert (status, body) == (400, _bad_request('Unknown operation named "B".'))


async def test_operation_name_selects_one_of_several_operations(
    client: TestClient,
) -> None:
    plans = {"plans": [{"key": plan} for plan in PLAN_IDS]}
    for name, data in [("A", {"__typename": "Query"}), ("B", plans)]:
        request = {"query": TWO_OPERATIONS, "operationName": name}
        status, _, body = await post_raw(client, json.dumps(request))
        assert (status, body) == (200, {"data": data}), name


async def test_several_operations_need_an_operation_name(client: TestClient) -> None:
    status, _, body = await post_raw(client, json.dumps({"query": TWO_OPERATIONS}))
    assert status == 400
    assert _codes(body) == ["BAD_REQUEST"]


async def test_subscriptions_are_refused_over_http(client: TestClient) -> None:
    status, _, body = await post_query(client, "subscription { securityEvents { id } }")
    assert status == 400
    assert body == _bad_request("Subscriptions run over WebSocket at this URL")


# -- body size ------------------------------------------------------------------------


async def test_body_over_max_query_bytes_is_refused(
    client: TestClient, settings: Settings
) -> None:
    assert settings.max_query_bytes == 100_000
    huge = json.dumps({"query": "{ " + "a " * 500_000 + "}"})  # 1 MB
    status, _, body = await post_raw(client, huge)
    assert status == 413
    assert body == _bad_request("Request body exceeds 100000 bytes")
    # the connection and the server are fine afterwards
    after = await gql(client, PING)
    assert [p["key"] for p in after["data"]["plans"]] == PLAN_IDS


async def test_chunked_body_over_max_query_bytes_is_refused(client: TestClient) -> None:
    """Without Content-Length the server stops reading past the limit."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ '
        for _ in range(100):
            yield b"a " * 5_000
        yield b'}"}'

    response = await client.post(
        "/graphql", data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert await response.json() == _bad_request("Request body exceeds 100000 bytes")
    after = await gql(client, PING)
    assert [p["key"] for p in after["data"]["plans"]] == PLAN_IDS


# -- parse and validation errors ----------------------------------------------------


async def test_syntax_error_status_follows_the_accept_header(
    client: TestClient,
) -> None:
    error = {
        "message": "Syntax Error: Expected Name, found <EOF>.",
        "locations": [{"line": 1, "column": 14}],
    }
    status, content_type, body = await post_query(client, SYNTAX_ERROR)
    assert (status, content_type) == (200, "application/json")
    assert body["data"] is None
    assert [{k: e[k] for k in error} for e in body["errors"]] == [error]
    status, content_type, body = await post_query(
        client, SYNTAX_ERROR, accept=GRAPHQL_RESPONSE
    )
    assert (status, content_type) == (400, GRAPHQL_RESPONSE)
    assert "data" not in body
    assert [{k: e[k] for k in error} for e in body["errors"]] == [error]


async def test_syntax_error_has_code_graphql_parse_failed(client: TestClient) -> None:
    for accept in (None, GRAPHQL_RESPONSE):
        _, _, body = await post_query(client, SYNTAX_ERROR, accept=accept)
        assert _codes(body) == ["GRAPHQL_PARSE_FAILED"]


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
async def test_unknown_field_is_graphql_validation_failed(
    client: TestClient, accept: str | None
) -> None:
    errors = [
        {
            "message": "Cannot query field 'nope' on type 'Query'. "
            "Did you mean 'node'?",
            "locations": [{"line": 1, "column": 3}],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ]
    status, content_type, body = await post_query(client, UNKNOWN_FIELD, accept=accept)
    if accept is None:
        assert (status, content_type) == (200, "application/json")
        assert body == {"data": None, "errors": errors}
    else:
        assert (status, content_type) == (400, GRAPHQL_RESPONSE)
        assert body == {"errors": errors}


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
async def test_variable_of_the_wrong_type_is_graphql_validation_failed(
    client: TestClient, accept: str | None
) -> None:
    request = {"query": FIRST_N, "variables": {"n": "ten"}}
    status, content_type, body = await post_raw(
        client, json.dumps(request), accept=accept
    )
    errors = [
        {
            "message": "Variable '$n' has invalid value: "
            "Int cannot represent non-integer value: 'ten'",
            "locations": [{"line": 1, "column": 9}],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ]
    if accept is None:
        assert (status, content_type) == (200, "application/json")
        assert body == {"data": None, "errors": errors}
    else:
        assert (status, content_type) == (400, GRAPHQL_RESPONSE)
        assert body == {"errors": errors}


@pytest.mark.parametrize("value", ["more than", "aliases found"])
async def test_error_code_does_not_depend_on_client_values(
    client: TestClient, value: str
) -> None:
    request = {"query": FIRST_N, "variables": {"n": value}}
    _, _, body = await post_raw(client, json.dumps(request))
    assert _codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


# -- query limits: QUERY_TOO_COMPLEX ------------------------------------------------


async def test_query_nested_50_deep_is_too_complex(client: TestClient) -> None:
    depth_error = {
        "message": "'Deep' exceeds maximum operation depth of 12",
        "extensions": {"code": "QUERY_TOO_COMPLEX"},
    }
    status, content_type, body = await post_query(client, DEEP)
    assert (status, content_type) == (200, "application/json")
    assert body["data"] is None
    assert {k: body["errors"][0][k] for k in depth_error} == depth_error
    status, content_type, body = await post_query(client, DEEP, accept=GRAPHQL_RESPONSE)
    assert (status, content_type) == (400, GRAPHQL_RESPONSE)
    assert "data" not in body
    assert {k: body["errors"][0][k] for k in depth_error} == depth_error


async def test_deep_introspection_is_too_complex(client: TestClient) -> None:
    status, _, body = await post_query(client, DEEP_INTROSPECTION)
    assert status == 200
    assert body["errors"][0]["message"] == "Maximum introspection depth exceeded"
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]


async def test_more_than_30_aliases_is_too_complex(client: TestClient) -> None:
    thirty = await gql(client, ALIASES_30)
    assert thirty["data"] == {f"a{i}": "Query" for i in range(30)}
    status, _, body = await post_query(client, ALIASES_1000)
    assert status == 200
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "1000 aliases found. Allowed: 30",
                "extensions": {"code": "QUERY_TOO_COMPLEX"},
            }
        ],
    }


async def test_more_than_4000_tokens_is_refused_before_validation(
    client: TestClient,
) -> None:
    assert len(TOKENS_4005.encode()) < 100_000
    at_limit = await post_raw(
        client, json.dumps({"query": TOKENS_4000, "operationName": "Q799"})
    )
    assert at_limit == (200, "application/json", {"data": {"__typename": "Query"}})
    status, _, body = await post_query(client, TOKENS_4005)
    assert status == 200
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [TOKEN_LIMIT_MESSAGE]
    status, _, body = await post_query(client, TOKENS_4005, accept=GRAPHQL_RESPONSE)
    assert status == 400
    assert "data" not in body
    assert [e["message"] for e in body["errors"]] == [TOKEN_LIMIT_MESSAGE]


async def test_more_than_4000_tokens_is_too_complex(client: TestClient) -> None:
    _, _, body = await post_query(client, TOKENS_4005)
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]


@pytest.mark.parametrize("n", [1, 80])
async def test_query_within_max_cost_runs(client: TestClient, n: int) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, EXPENSIVE, {"n": n}, token=token)
    assert "errors" not in body
    [event] = body["data"]["viewer"]["recent"]["nodes"]
    assert (event["kind"], event["user"]["email"]) == ("SIGNED_UP", "ada@example.com")


@pytest.mark.parametrize(("n", "cost"), [(81, 5025), (100, 6203)])
async def test_query_over_max_cost_is_too_complex(
    client: TestClient, settings: Settings, n: int, cost: int
) -> None:
    assert settings.max_cost == 5000
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, EXPENSIVE, {"n": n}, token=token)
    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"Query cost {cost} exceeds the limit of 5000; "
                "request fewer items with `first`",
                "extensions": {
                    "code": "QUERY_TOO_COMPLEX",
                    "cost": cost,
                    "limit": 5000,
                },
            }
        ],
    }


async def test_read_only_api_key_runs_no_mutation(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    created = await gql(
        client, CREATE_KEY, {"input": {"name": "ro", "scopes": ["READ"]}}, token=token
    )
    secret = created["data"]["createApiKey"]["secret"]
    credentials = {"email": "ada@example.com", "password": PASSWORD}
    body = await gql(
        client, LOG_IN, {"input": credentials}, headers={"X-API-Key": secret}
    )
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "This API key has no `write` scope",
                "extensions": {"code": "FORBIDDEN"},
            }
        ],
    }


# -- unexpected exceptions ----------------------------------------------------------


class _BrokenPlans:
    def values(self) -> Any:
        raise RuntimeError("could not reach billing-db at 10.0.0.7:5432")


async def test_unexpected_exceptions_are_masked_and_logged(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("resolvers.billing.PLANS", _BrokenPlans())
    with caplog.at_level(logging.ERROR, logger="careergraph"):
        response = await client.post("/graphql", json={"query": PING})
        text = await response.text()
    assert response.status == 200
    assert "10.0.0.7" not in text
    assert "RuntimeError" not in text
    assert json.loads(text) == {
        "data": None,
        "errors": [
            {
                "message": "Internal server error",
                "locations": [{"line": 1, "column": 14}],
                "path": ["plans"],
                "extensions": {"code": "INTERNAL_ERROR"},
            }
        ],
    }
    [record] = [r for r in caplog.records if r.name == "careergraph"]
    assert record.getMessage() == "unexpected error"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "could not reach billing-db at 10.0.0.7:5432"


async def test_out_of_range_global_id_resolves_as_not_found(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    huge = base64.b64encode(f"User:{2**63}".encode()).decode()
    body = await gql(client, NODE, {"id": huge}, token=token)
    assert body == {"data": {"node": None}}


async def test_out_of_range_cursor_is_a_validation_error(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    huge = base64.urlsafe_b64encode(f"se:{2**63}".encode()).decode()
    body = await gql(client, EVENTS_AFTER, {"after": huge}, token=token)
    assert _codes(body) == ["VALIDATION_ERROR"]


# -- GET, other methods, GraphiQL ---------------------------------------------------


async def test_get_runs_a_query_from_url_parameters(client: TestClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query Plans($all: Boolean!) { plans @include(if: $all) { key } }",
            "variables": json.dumps({"all": True}),
            "operationName": "Plans",
        },
    )
    assert (response.status, response.content_type) == (200, "application/json")
    body = await response.json()
    assert [p["key"] for p in body["data"]["plans"]] == PLAN_IDS


async def test_get_needs_a_query_and_well_formed_variables(client: TestClient) -> None:
    response = await client.get("/graphql")
    assert response.status == 400
    assert await response.json() == _bad_request(
        "A non-empty string `query` parameter is required"
    )
    response = await client.get(
        "/graphql", params={"query": "{ __typename }", "variables": "{oops"}
    )
    assert response.status == 400
    assert await response.json() == _bad_request("Malformed JSON in variables")


async def test_get_refuses_mutations_with_405(client: TestClient) -> None:
    response = await client.get(
        "/graphql", params={"query": "mutation { logOut { ok } }"}
    )
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert await response.text() == "Mutations and subscriptions need POST"


async def test_other_methods_get_405(client: TestClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/graphql", json={"query": PING})
        assert response.status == 405, method
        assert response.headers["Allow"] == "GET,POST"


async def test_graphiql_page_is_served_offline(client: TestClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert (response.status, response.content_type) == (200, "text/html")
    html = await response.text()
    assert re.search(r"https?://", html) is None
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert "/graphiql/assets/graphiql.min.js" in refs
    assets = [ref for ref in refs if not ref.startswith("data:")]
    assert assets, refs
    for ref in assets:
        assert ref.startswith("/graphiql/assets/"), ref
        asset = await client.get(ref)
        assert asset.status == 200, ref
        assert len(await asset.read()) > 0, ref


# -- /health and /metrics -----------------------------------------------------------


def _requests_total(operation: str, status: int, count: int) -> str:
    labels = f'route="graphql",operation="{operation}",status="{status}"'
    return f"careergraph_requests_total{{{labels}}} {count}"


async def test_health_reports_each_dependency(
    client: TestClient, settings: Settings
) -> None:
    response = await client.get("/health")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "db": "ok",
        "redis": "ok" if settings.redis_url else "disabled",
        "queue": "ok",
    }


async def test_metrics_count_requests_by_operation_and_status(
    client: TestClient,
) -> None:
    await gql(client, PING)
    await gql(client, "{ __typename }")
    await post_raw(client, b"{not json")
    response = await client.get("/metrics")
    assert (response.status, response.content_type) == (200, "text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    lines = (await response.text()).splitlines()
    assert "# TYPE careergraph_requests_total counter" in lines
    assert "# TYPE careergraph_request_seconds histogram" in lines
    requests = [line for line in lines if line.startswith("careergraph_requests_total")]
    assert requests == [
        _requests_total("Ping", 200, 1),
        _requests_total("anonymous", 200, 1),
        _requests_total("anonymous", 400, 1),
    ]
    assert 'careergraph_request_seconds_bucket{operation="Ping",le="+Inf"} 1' in lines
    assert 'careergraph_request_seconds_count{operation="Ping"} 1' in lines
    assert (
        'careergraph_request_seconds_bucket{operation="anonymous",le="+Inf"} 2' in lines
    )
