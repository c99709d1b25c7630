"""`node(id:)`: one code path answers null for every id that names no object the
caller may see (issue 9, finding 5)."""

from __future__ import annotations

import base64

import pytest
from aiohttp.test_utils import TestClient

from tests.helpers import gql, sign_up

NODE = "query Node($id: ID!) { node(id: $id) { id __typename } }"
VIEWER_IDS = "{ viewer { id user { id } organization { id } } }"


def _gid(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "node_id",
    [
        "not-a-global-id",  # malformed: not base64
        _gid("no colon here"),  # base64, but not type:id
        _gid("Nope:1"),  # unknown type
        _gid("Viewer:999"),  # another caller's viewer
        _gid("ImportPreview:1"),  # ditto
        _gid("Plan:platinum"),  # no such plan
        _gid("UserError:1"),
        _gid("ErrorCode:1"),  # an enum
        _gid("Node:1"),  # the interface itself
        _gid("User:abc"),  # a Node type with a non-integer id
        _gid("User:-5"),
        _gid("User:"),
        "",
    ],
)
async def test_ids_that_name_no_node_answer_null(
    client: TestClient, node_id: str
) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, NODE, {"id": node_id}, token=token)
    assert body == {"data": {"node": None}}


async def test_other_organizations_objects_answer_null_like_unknown_ids(
    client: TestClient,
) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    viewer = (await gql(client, VIEWER_IDS, token=ada))["data"]["viewer"]
    for node_id in (viewer["user"]["id"], viewer["organization"]["id"]):
        assert await gql(client, NODE, {"id": node_id}, token=bob) == {
            "data": {"node": None}
        }
    own = await gql(client, NODE, {"id": viewer["user"]["id"]}, token=ada)
    assert own == {"data": {"node": {"id": viewer["user"]["id"], "__typename": "User"}}}
