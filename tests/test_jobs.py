"""The jobs marketplace end to end, poster and receiver in two organizations:
escrow through the ledger, every transition and its errors, expiry by the
sweeper's job, the job lists and their query counts, and live job events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from strawberry import relay

from models.jobs import Job
from services.jobs import jobs_channel
from tests.helpers import (
    connect,
    count_queries,
    gql,
    organization_of,
    receive,
    wait_subscribed,
)
from tests.support.market import (
    CREATE_AGENT,
    Market,
    ledger,
)
from transport.keys import RUNTIME_KEY

WORKER_STATUS = """
query W($first: Int, $after: String, $status: JobStatus) {
  viewer { workerStatus(first: $first, after: $after, status: $status) {
    edges { cursor node { id status } } pageInfo { hasNextPage endCursor }
  } }
}
"""
POSTED = """
query P($status: JobStatus) {
  viewer { postedJobs(status: $status) { edges { node { id status } } } }
}
"""


async def test_a_job_goes_from_post_to_completion_and_pays_the_receiver(
    client: TestClient,
) -> None:
    m = await Market(client).setup()
    posted = await m.post()
    assert posted["userErrors"] == []
    job = posted["job"]
    assert job["status"] == "HELD"
    assert job["poster"] == {"userId": m.ada_user, "name": "Ada Lovelace"}
    assert job["receiver"] == {"id": m.agent, "name": "Resume Reviewer"}
    assert job["history"] == [{"status": "HELD", "actor": "POSTER"}]
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (15, 20)
    assert await ledger(job["id"]) == [("job_hold", -5)]

    accepted = await m.act("acceptJob", m.bob, job["id"])
    assert accepted["data"]["acceptJob"]["job"]["status"] == "ACCEPTED"
    from models.resumes import Resume

    bob_org = (await Job.get()).receiver_organization_id
    resume = await Resume.create(
        organization_id=bob_org, title="Edited", status="READY"
    )
    resume_id = relay.to_base64("Resume", resume.id)
    submitted = await m.act(
        "submitJob", m.bob, job["id"], content="Here is the edit", resumeId=resume_id
    )
    sub = submitted["data"]["submitJob"]
    assert sub["userErrors"] == []
    assert sub["job"]["status"] == "SUBMITTED"
    assert sub["job"]["submission"]["content"] == "Here is the edit"
    assert sub["job"]["submission"]["resumeId"] == resume_id
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (15, 20)

    approved = await m.act("approveJob", m.ada, job["id"])
    done = approved["data"]["approveJob"]["job"]
    assert done["status"] == "COMPLETED"
    assert done["history"] == [
        {"status": "HELD", "actor": "POSTER"},
        {"status": "ACCEPTED", "actor": "RECEIVER"},
        {"status": "SUBMITTED", "actor": "RECEIVER"},
        {"status": "COMPLETED", "actor": "POSTER"},
    ]
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (15, 25)
    assert await ledger(job["id"]) == [("job_hold", -5), ("job_reward", 5)]
    # nothing moves twice
    again = await m.act("approveJob", m.ada, job["id"])
    assert again["data"]["approveJob"] == {
        "job": None,
        "userErrors": [
            {
                "field": ["input", "id"],
                "message": "Cannot approve a job that is COMPLETED",
                "code": "INVALID_STATE",
            }
        ],
    }
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (15, 25)


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        ([("declineJob", "bob", {})], "DECLINED"),
        ([("cancelJob", "ada", {})], "CANCELLED"),
        (
            [
                ("acceptJob", "bob", {}),
                ("submitJob", "bob", {"content": "done"}),
                ("rejectJob", "ada", {"reason": "Not what I asked"}),
            ],
            "REJECTED",
        ),
    ],
)
async def test_decline_cancel_and_reject_give_the_reward_back(
    client: TestClient, steps: list[tuple[str, str, dict[str, Any]]], final: str
) -> None:
    m = await Market(client).setup()
    job = (await m.post(reward=7))["job"]
    assert await m.credits(m.ada) == 13
    body: dict[str, Any] = {}
    for name, who, fields in steps:
        body = await m.act(name, getattr(m, who), job["id"], **fields)
        assert body["data"][name]["userErrors"] == [], body
    last = body["data"][steps[-1][0]]["job"]
    assert last["status"] == final
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (20, 20)
    assert await ledger(job["id"]) == [("job_hold", -7), ("job_refund", 7)]
    if final == "REJECTED":
        assert last["rejectReason"] == "Not what I asked"


async def test_wrong_parties_and_wrong_states_change_nothing(
    client: TestClient,
) -> None:
    m = await Market(client).setup()
    job = (await m.post())["job"]
    # a stranger: the job does not exist for them
    for name in ("acceptJob", "cancelJob", "approveJob"):
        body = await m.act(name, m.eve, job["id"])
        assert body["data"][name]["userErrors"] == [
            {"field": ["input", "id"], "message": "Job not found", "code": "NOT_FOUND"}
        ]
    hidden = await gql(
        client,
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": job["id"]},
        token=m.eve,
    )
    assert hidden["data"]["node"] is None
    # a party without that right
    for name, token in (("acceptJob", m.ada), ("cancelJob", m.bob)):
        body = await m.act(name, token, job["id"])
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # the right party in the wrong state
    for name, token, fields in (
        ("approveJob", m.ada, {}),
        ("rejectJob", m.ada, {"reason": "no"}),
        ("submitJob", m.bob, {"content": "x"}),
    ):
        body = await m.act(name, token, job["id"], **fields)
        assert body["data"][name]["userErrors"][0]["code"] == "INVALID_STATE"
    await m.act("acceptJob", m.bob, job["id"])
    for name, token in (("cancelJob", m.ada), ("declineJob", m.bob)):
        body = await m.act(name, token, job["id"])
        assert body["data"][name]["userErrors"][0]["code"] == "INVALID_STATE"
    # bad submissions
    empty = await m.act("submitJob", m.bob, job["id"], content="  ")
    assert empty["data"]["submitJob"]["userErrors"][0]["field"] == ["input", "content"]
    foreign = await m.act(
        "submitJob",
        m.bob,
        job["id"],
        content="x",
        resumeId=relay.to_base64("Resume", 9),
    )
    assert foreign["data"]["submitJob"]["userErrors"] == [
        {
            "field": ["input", "resumeId"],
            "message": "Resume not found",
            "code": "NOT_FOUND",
        }
    ]
    assert (await Job.get()).status == "ACCEPTED"
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (15, 20)
    assert await ledger(job["id"]) == [("job_hold", -5)]


async def test_post_job_input_rules(client: TestClient) -> None:
    m = await Market(client).setup()
    assert (await m.post(reward=0))["userErrors"] == [
        {
            "field": ["input", "reward"],
            "message": "reward must be between 1 and 1000000 credits",
            "code": "VALIDATION_ERROR",
        }
    ]
    assert (await m.post(reward=21))["userErrors"] == [
        {
            "field": ["input", "reward"],
            "message": "Not enough credits for this operation",
            "code": "INSUFFICIENT_CREDITS",
        }
    ]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await m.post(deadline=past))["userErrors"][0]["field"] == [
        "input",
        "deadline",
    ]
    assert (await m.post(title=""))["userErrors"][0]["field"] == ["input", "title"]
    private = await gql(
        client, CREATE_AGENT, {"input": {"name": "Private"}}, token=m.bob
    )
    private_id = private["data"]["createAgent"]["agent"]["id"]
    assert (await m.post(agentId=private_id))["userErrors"] == [
        {
            "field": ["input", "agentId"],
            "message": "Agent not found",
            "code": "NOT_FOUND",
        }
    ]
    # nothing was held or created by any of these
    assert await Job.all().count() == 0
    assert await m.credits(m.ada) == 20
    # one's own private agent is fine
    own = await gql(client, CREATE_AGENT, {"input": {"name": "Mine"}}, token=m.ada)
    mine = await m.post(agentId=own["data"]["createAgent"]["agent"]["id"])
    assert mine["userErrors"] == []


async def test_post_job_without_agent_goes_to_the_best_match(
    client: TestClient,
) -> None:
    m = await Market(client).setup()
    matched = await m.post(agentId=None)
    assert matched["userErrors"] == []
    assert matched["job"]["receiver"]["id"] == m.agent
    none = await m.post(
        agentId=None, title="Bake a cake", description="Chocolate sponge wedding cake"
    )
    assert none == {
        "job": None,
        "userErrors": [
            {
                "field": ["input", "description"],
                "message": "No public agent matches this job",
                "code": "NO_MATCHING_AGENT",
            }
        ],
    }
    assert await m.credits(m.ada) == 15  # only the first job holds credits


async def test_overdue_jobs_expire_by_the_sweeper_job_and_refund(
    client: TestClient,
) -> None:
    enqueue_expire_jobs = client.app[RUNTIME_KEY].jobs.enqueue_expire_jobs
    m = await Market(client).setup()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    held = (await m.post(deadline=soon))["job"]
    accepted = (await m.post(deadline=soon, reward=3))["job"]
    await m.act("acceptJob", m.bob, accepted["id"])
    open_ended = (await m.post(reward=2))["job"]
    assert await m.credits(m.ada) == 10
    await Job.filter(deadline__isnull=False).update(
        deadline=datetime.now(UTC) - timedelta(seconds=1)
    )
    await enqueue_expire_jobs()
    for _ in range(100):
        if await Job.filter(status="EXPIRED").count() == 2:
            break
        await asyncio.sleep(0.05)
    statuses = {
        job["id"]: (await Job.get(id=relay.GlobalID.from_id(job["id"]).node_id)).status
        for job in (held, accepted, open_ended)
    }
    assert statuses == {
        held["id"]: "EXPIRED",
        accepted["id"]: "EXPIRED",
        open_ended["id"]: "HELD",
    }
    assert await m.credits(m.ada) == 18
    assert await ledger(accepted["id"]) == [("job_hold", -3), ("job_refund", 3)]
    node = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Job { history { status actor } } } }",
        {"id": accepted["id"]},
        token=m.ada,
    )
    assert node["data"]["node"]["history"][-1] == {
        "status": "EXPIRED",
        "actor": "SYSTEM",
    }
    # a second sweep finds nothing to do
    await enqueue_expire_jobs()
    await asyncio.sleep(0.2)
    assert await m.credits(m.ada) == 18


async def test_acting_on_an_overdue_job_expires_it_first(client: TestClient) -> None:
    m = await Market(client).setup()
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    job = (await m.post(deadline=soon))["job"]
    await Job.all().update(deadline=datetime.now(UTC) - timedelta(seconds=1))
    body = await m.act("acceptJob", m.bob, job["id"])
    assert body["data"]["acceptJob"]["userErrors"][0]["code"] == "INVALID_STATE"
    assert (await Job.get()).status == "EXPIRED"
    assert await m.credits(m.ada) == 20


async def test_agents_with_active_jobs_cannot_be_deleted(client: TestClient) -> None:
    m = await Market(client).setup()
    job = (await m.post())["job"]
    delete = """
    mutation($input: DeleteAgentInput!) {
      deleteAgent(input: $input) { deletedId userErrors { code } }
    }"""
    body = await gql(client, delete, {"input": {"id": m.agent}}, token=m.bob)
    assert body["data"]["deleteAgent"] == {
        "deletedId": None,
        "userErrors": [{"code": "AGENT_HAS_ACTIVE_JOBS"}],
    }
    await m.act("declineJob", m.bob, job["id"])
    body = await gql(client, delete, {"input": {"id": m.agent}}, token=m.bob)
    assert body["data"]["deleteAgent"]["deletedId"] == m.agent
    node = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Job { status receiver { id } } } }",
        {"id": job["id"]},
        token=m.ada,
    )
    assert node["data"]["node"] == {"status": "DECLINED", "receiver": None}


async def test_job_lists_newest_update_first_with_status_filter(
    client: TestClient,
) -> None:
    m = await Market(client).setup()
    first = (await m.post(reward=1))["job"]
    second = (await m.post(reward=1))["job"]
    third = (await m.post(reward=1))["job"]
    await m.act("acceptJob", m.bob, first["id"])  # now the newest update
    body = await gql(client, WORKER_STATUS, token=m.bob)
    edges = body["data"]["viewer"]["workerStatus"]["edges"]
    assert [e["node"]["id"] for e in edges] == [first["id"], third["id"], second["id"]]
    page = await gql(client, WORKER_STATUS, {"first": 2}, token=m.bob)
    status = page["data"]["viewer"]["workerStatus"]
    assert status["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        client,
        WORKER_STATUS,
        {"first": 2, "after": status["pageInfo"]["endCursor"]},
        token=m.bob,
    )
    assert [
        e["node"]["id"] for e in rest["data"]["viewer"]["workerStatus"]["edges"]
    ] == [second["id"]]
    held = await gql(client, WORKER_STATUS, {"status": "HELD"}, token=m.bob)
    assert [
        e["node"]["id"] for e in held["data"]["viewer"]["workerStatus"]["edges"]
    ] == [third["id"], second["id"]]
    posted = await gql(client, POSTED, {"status": "ACCEPTED"}, token=m.ada)
    assert posted["data"]["viewer"]["postedJobs"]["edges"] == [
        {"node": {"id": first["id"], "status": "ACCEPTED"}}
    ]
    # the poster's worker status and the receiver's posted jobs are empty
    assert (await gql(client, WORKER_STATUS, token=m.ada))["data"]["viewer"][
        "workerStatus"
    ]["edges"] == []
    assert (await gql(client, POSTED, token=m.bob))["data"]["viewer"]["postedJobs"][
        "edges"
    ] == []
    bad = await gql(client, WORKER_STATUS, {"after": "bm9wZQ=="}, token=m.bob)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    # the agent's own pages walk the same order
    seen: list[str] = []
    after = None
    for _ in range(4):
        page = await gql(
            client, AGENT_JOBS, {"id": m.agent, "after": after}, token=m.bob
        )
        jobs = page["data"]["node"]["jobs"]
        seen += [e["node"]["id"] for e in jobs["edges"]]
        if not jobs["pageInfo"]["hasNextPage"]:
            break
        after = jobs["pageInfo"]["endCursor"]
    assert seen == [first["id"], third["id"], second["id"]]
    accepted = await gql(
        client, AGENT_JOBS, {"id": m.agent, "status": "ACCEPTED"}, token=m.bob
    )
    assert [e["node"]["id"] for e in accepted["data"]["node"]["jobs"]["edges"]] == [
        first["id"]
    ]


AGENT_JOBS = """
query A($id: ID!, $after: String, $status: JobStatus) {
  node(id: $id) { ... on Agent {
    jobs(first: 1, after: $after, status: $status) {
      edges { node { id } } pageInfo { hasNextPage endCursor }
    }
  } }
}
"""


AGENTS_WITH_JOBS = """
{ viewer {
  agents(first: 5) { edges { node {
    id activeJobCount
    jobs(first: 50) { edges { node { id status poster { name } receiver { name }
                                      history { status } } } }
  } } }
  workerStatus(first: 100) { edges { node { id title poster { name }
                                            receiver { name } history { status } } } }
} }
"""


async def test_agents_jobs_and_worker_status_cost_constant_queries(
    client: TestClient,
) -> None:
    m = await Market(client).setup()
    second = await gql(
        client,
        CREATE_AGENT,
        {"input": {"name": "Second", "visibility": "PUBLIC"}},
        token=m.bob,
    )
    second_id = second["data"]["createAgent"]["agent"]["id"]
    from services import billing

    async def measure() -> tuple[int, dict[str, Any]]:
        with count_queries() as seen:
            body = await gql(client, AGENTS_WITH_JOBS, token=m.bob)
        assert "errors" not in body, body
        return len(seen), body

    await m.post(reward=1)
    await m.post(reward=1, agentId=second_id)
    one, _ = await measure()
    from models.accounts import User

    ada = await User.get(email="ada@example.com")
    await billing.change_credits(
        organization_id=ada.default_organization_id, delta=200, reason="test_grant"
    )
    for index in range(98):
        await m.post(reward=1, agentId=m.agent if index % 2 else second_id)
    hundred, body = await measure()
    viewer = body["data"]["viewer"]
    assert len(viewer["workerStatus"]["edges"]) == 100
    counts = [e["node"]["activeJobCount"] for e in viewer["agents"]["edges"]]
    assert counts == [0, 50, 50]  # default, Resume Reviewer, Second
    assert [len(e["node"]["jobs"]["edges"]) for e in viewer["agents"]["edges"]] == [
        0,
        50,
        50,
    ]
    assert one == hundred
    # agents, worker status, active counts, jobs of agents (ids by window, rows),
    # users, receiver agents, history (the session itself is cached)
    assert hundred == 8


async def test_job_events_reach_both_parties_live(client: TestClient) -> None:
    m = await Market(client).setup()
    query = "subscription { jobEvents { status actor job { id status reward } } }"
    sockets = []
    for token in (m.ada, m.bob, m.eve):
        ws = await connect(client, {"Authorization": f"Bearer {token}"})
        assert await receive(ws) == {"type": "connection_ack"}
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": query}}
        )
        sockets.append(ws)
    for email in ("ada@example.com", "bob@example.com", "eve@example.com"):
        await wait_subscribed(client, jobs_channel(await organization_of(email)))
    job = (await m.post())["job"]
    await m.act("acceptJob", m.bob, job["id"])
    ada_ws, bob_ws, eve_ws = sockets
    for ws in (ada_ws, bob_ws):
        held = (await receive(ws))["payload"]["data"]["jobEvents"]
        accepted = (await receive(ws))["payload"]["data"]["jobEvents"]
        assert held["status"] == "HELD"
        assert held["actor"] == "POSTER"
        assert held["job"]["id"] == job["id"]
        assert accepted["status"] == "ACCEPTED"
        assert accepted["actor"] == "RECEIVER"
        assert accepted["job"] == {"id": job["id"], "status": "ACCEPTED", "reward": 5}
    with pytest.raises(asyncio.TimeoutError):
        await eve_ws.receive(timeout=0.5)
    for ws in sockets:
        await ws.close()
    assert isinstance(ada_ws, aiohttp.ClientWebSocketResponse)


async def test_worker_status_holds_the_viewers_own_agents_only(
    client: TestClient,
) -> None:
    from models.accounts import Membership, User
    from models.agents import Agent

    m = await Market(client).setup()
    bob = await User.get(email="bob@example.com")
    teammate = await User.create(
        email="tam@example.com",
        name="Tam",
        password_hash="x",
        default_organization_id=bob.default_organization_id,
    )
    await Membership.create(
        user_id=teammate.id, organization_id=bob.default_organization_id, role="member"
    )
    agent = await Agent.create(
        organization_id=bob.default_organization_id,
        owner_id=teammate.id,
        name="Tam's agent",
        name_key="tam's agent",
        visibility="PUBLIC",
    )
    theirs = (await m.post(agentId=relay.to_base64("Agent", agent.id)))["job"]
    mine = (await m.post())["job"]
    body = await gql(client, WORKER_STATUS, token=m.bob)
    assert [
        e["node"]["id"] for e in body["data"]["viewer"]["workerStatus"]["edges"]
    ] == [mine["id"]]
    # the organization still sees the teammate's job (and may act on it)
    node = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Job { status } } }",
        {"id": theirs["id"]},
        token=m.bob,
    )
    assert node["data"]["node"] == {"status": "HELD"}
