"""The jobs marketplace's cast (tests/test_jobs.py, tests/test_jobs_concurrency.py):
Ada posts, Bob's public agent receives, Eve watches; the operations they use."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from strawberry import relay

from models.billing import CreditEntry
from tests.factories import agent
from tests.helpers import gql, sign_up

JOB_FIELDS = """
id title description reward status deadline rejectReason
poster { userId name } receiver { id name }
submission { content resumeId submittedAt }
history { status actor }
"""
POST = f"""
mutation Post($input: PostJobInput!) {{
  postJob(input: $input) {{
    job {{ {JOB_FIELDS} }} userErrors {{ field message code }}
  }}
}}
"""


def transition(name: str, extra: str = "") -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    return f"""
mutation M($input: {input_type}!) {{
  {name}(input: $input) {{ job {{ {JOB_FIELDS} }} userErrors {{ field message code }} }}
}}
"""


CREATE_AGENT = """
mutation($input: CreateAgentInput!) {
  createAgent(input: $input) { agent { id } userErrors { message } }
}
"""
CREDITS = "{ viewer { credits } }"


class Market:
    """Ada posts (organization 1), Bob's public agent receives (organization 2),
    Eve is a third party."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ada = self.bob = self.eve = self.agent = ""
        self.ada_user = self.bob_user = ""

    async def setup(self) -> Market:
        ada = await sign_up(self.client)
        bob = await sign_up(self.client, "bob@example.com", "Bob")
        self.ada, self.ada_user = ada["accessToken"], ada["user"]["id"]
        self.bob, self.bob_user = bob["accessToken"], bob["user"]["id"]
        self.eve = (await sign_up(self.client, "eve@example.com", "Eve"))["accessToken"]
        self.agent = await agent(  # through the service: agents are not the subject
            "bob@example.com",
            name="Resume Reviewer",
            personality="I review resumes for data engineering roles.",
            visibility="PUBLIC",
        )
        return self

    async def post(self, token: str | None = None, **fields: Any) -> dict[str, Any]:
        variables = {
            "title": "Review my resume",
            "description": "Data engineering resume, please review",
            "reward": 5,
            "agentId": self.agent,
            **fields,
        }
        body = await gql(
            self.client, POST, {"input": variables}, token=token or self.ada
        )
        payload: dict[str, Any] = body["data"]["postJob"]
        return payload

    async def act(
        self, name: str, token: str, job_id: str, **fields: Any
    ) -> dict[str, Any]:
        return await gql(
            self.client,
            transition(name),
            {"input": {"id": job_id, **fields}},
            token=token,
        )

    async def credits(self, token: str) -> int:
        body = await gql(self.client, CREDITS, token=token)
        value: int = body["data"]["viewer"]["credits"]
        return value


async def ledger(job_id: str) -> list[tuple[str, int]]:
    subject = f"job:{relay.GlobalID.from_id(job_id).node_id}"
    rows = await CreditEntry.filter(subject=subject).order_by("id")
    return [(row.reason, row.delta) for row in rows]
