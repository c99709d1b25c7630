"""What the tests share: the test environment, emptying the database, GraphQL over
the real HTTP client, sockets, uploads, waiting on a condition, and shared data.

Test modules import from here (or `tests/support/`, `tests/factories.py`), never from
another test module or conftest (`tests/test_test_suite.py` checks it).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient
from tortoise import connections

from settings import Settings

T = TypeVar("T")

# -- the environment ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
BACKEND = os.environ.get("TEST_BACKEND", "sqlite")
TABLES = [  # children before parents
    "job_events",
    "jobs",
    "agents",
    "chat_messages",
    "chat_conversations",
    "profile_chunks",
    "profile_indexes",
    "stripe_events",
    "payouts",
    "credit_purchases",
    "billing_accounts",
    "llm_configs",
    "letters",
    "tailor_usage",
    "import_previews",
    "resumes",
    "stored_files",
    "profile_views",
    "skills",
    "experiences",
    "educations",
    "projects",
    "certifications",
    "profiles",
    "usage_counters",
    "credit_entries",
    "security_events",
    "api_keys",
    "refresh_tokens",
    "memberships",
    "users",
    "rendered_pdfs",
    "organizations",
]


async def reset_state(settings: Settings) -> None:
    """Empty every table (and flush the test Redis database)."""
    conn = connections.get("default")
    if settings.database_url.startswith("sqlite"):
        for table in TABLES:
            await conn.execute_script(f'DELETE FROM "{table}"')
        await conn.execute_script("DELETE FROM sqlite_sequence")
    else:
        await conn.execute_script(
            "TRUNCATE "
            + ", ".join(f'"{t}"' for t in TABLES)
            + " RESTART IDENTITY CASCADE"
        )
    if settings.redis_url:
        client = aioredis.Redis.from_url(settings.redis_url)
        await client.flushdb()
        await client.aclose()


# -- waiting on a condition ----------------------------------------------------------


async def wait_until(
    condition: Callable[[], Any],
    *,
    timeout: float = 10,
    interval: float = 0.05,
    message: str = "",
) -> Any:
    """Call `condition` (sync or async) until it returns a truthy value, and return
    that value; fail the test when `timeout` seconds pass first. Use it instead of
    a fixed sleep wherever a test waits for something to happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout} s: {message or condition}; last: {value!r}"
            )
        await asyncio.sleep(interval)


def wait_until_sync(
    condition: Callable[[], T], *, timeout: float = 10, interval: float = 0.05
) -> T:
    """`wait_until` for code outside an event loop (processes, ports)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s: {condition}")
        time.sleep(interval)


async def wait_subscribed(
    client: TestClient,
    channel: str,
    *,
    count: int = 1,
    here: bool = True,
    timeout: float = 10,
) -> None:
    """Wait until `count` subscriptions of `client`'s app listen on `channel` (a
    pub/sub channel such as `services.accounts.security_channel(org_id)`): its
    broker's subscriber count, and with Redis its SUBSCRIBE done too. With
    `here=False` (the subscriber is another process: `second_server`) until some
    process subscribed to it in Redis (PUBSUB NUMSUB)."""
    from transport.keys import RUNTIME_KEY

    runtime = client.app[RUNTIME_KEY]
    pubsub: Any = runtime.pubsub
    local: Any = getattr(pubsub, "_local", pubsub)  # RedisPubSub fans out locally

    async def live() -> bool:
        if here and local.subscriber_count(channel) < count:
            return False
        if runtime.redis is None:
            return True
        if here and hasattr(pubsub, "_lock"):
            async with pubsub._lock:  # the Redis SUBSCRIBE of the first finished
                pass
        [(_, subscribers)] = await runtime.redis.pubsub_numsub(channel)
        return int(subscribers) >= 1

    await wait_until(live, timeout=timeout, message=f"subscribers of {channel}")


async def organization_of(email: str = "ada@example.com") -> int:
    from models.accounts import User

    user = await User.get(email=email)
    return user.default_organization_id


# -- SQL -------------------------------------------------------------------------------


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement the default connection runs inside the block."""
    conn = connections.get("default")
    seen: list[str] = []
    names = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
    originals = {name: getattr(conn, name) for name in names}

    def wrap(original: Any) -> Any:
        async def counted(query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(query)
            return await original(query, *args, **kwargs)

        return counted

    for name, original in originals.items():
        setattr(conn, name, wrap(original))
    try:
        yield seen
    finally:
        for name in names:
            delattr(conn, name)  # back to the class methods


# -- WebSockets (graphql-transport-ws) -----------------------------------------------

PROTOCOL = "graphql-transport-ws"


async def receive(
    ws: aiohttp.ClientWebSocketResponse, timeout: float = 5
) -> dict[str, Any]:
    message = await ws.receive(timeout=timeout)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    data: dict[str, Any] = json.loads(message.data)
    return data


async def connect(
    client: TestClient, payload: dict[str, Any] | None = None, **kwargs: Any
) -> aiohttp.ClientWebSocketResponse:
    ws = await client.ws_connect("/graphql", protocols=[PROTOCOL], **kwargs)
    await ws.send_json({"type": "connection_init", "payload": payload or {}})
    return ws


SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    accessToken refreshToken expiresIn
    user { id email name }
    userErrors { field message code }
  }
}
"""

PASSWORD = "correct horse battery staple"


async def gql(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> dict[str, Any]:
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=all_headers,
    )
    body: dict[str, Any] = await response.json(content_type=None)
    assert response.status == status, (response.status, body)
    return body


async def sign_up(
    client: TestClient, email: str = "ada@example.com", name: str = "Ada Lovelace"
) -> dict[str, Any]:
    body = await gql(
        client, SIGN_UP, {"input": {"email": email, "password": PASSWORD, "name": name}}
    )
    payload: dict[str, Any] = body["data"]["signUp"]
    assert payload["userErrors"] == [], payload
    return payload


async def set_plan(plan: str, email: str = "ada@example.com") -> None:
    """What `python server.py set-plan` does, for the organization of `email`."""
    from models.accounts import User
    from services import billing

    user = await User.get(email=email)
    await billing.set_plan(organization_id=user.default_organization_id, plan_id=plan)


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text is `lines` (Helvetica), built by hand."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 11 Tf 14 TL 56 800 Td " + " ".join(
        f"({escape(line)}) Tj T*" for line in lines
    )
    stream += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


UPLOAD = """
mutation Upload($input: UploadResumeInput!) {
  uploadResume(input: $input) {
    resume { id status isMaster fileType title tags locale }
    userErrors { field message code }
  }
}
"""


async def upload(
    client: TestClient,
    token: str,
    data: bytes,
    *,
    filename: str = "resume.pdf",
    variables: dict[str, Any] | None = None,
    preflight: bool = True,
    status: int = 200,
    query: str = UPLOAD,
) -> dict[str, Any]:
    """`uploadResume` (or `query`) over the GraphQL multipart request spec."""
    import json

    from aiohttp import FormData

    form = FormData()
    input_vars = {"file": None, **(variables or {})}
    form.add_field(
        "operations",
        json.dumps({"query": query, "variables": {"input": input_vars}}),
        content_type="application/json",
    )
    form.add_field(
        "map",
        json.dumps({"0": ["variables.input.file"]}),
        content_type="application/json",
    )
    form.add_field(
        "0", data, filename=filename, content_type="application/octet-stream"
    )
    headers = {"Authorization": f"Bearer {token}"}
    if preflight:
        headers["GraphQL-Require-Preflight"] = "1"
    response = await client.post("/graphql", data=form, headers=headers)
    body: dict[str, Any] = await response.json(content_type=None)
    assert response.status == status, (response.status, body)
    return body


RESUME_STATE = """
query R($id: ID!) {
  resume(id: $id) {
    id status stage progress isMaster fileType errorCode errorMessage engine warnings
    structuredData text
  }
}
"""


async def wait_for(
    client: TestClient, token: str, resume_id: str, timeout: float = 60
) -> dict[str, Any]:
    """The resume once it left PROCESSING (polled every 0.05 s, up to `timeout`)."""

    async def settled() -> dict[str, Any] | None:
        body = await gql(client, RESUME_STATE, {"id": resume_id}, token=token)
        resume: dict[str, Any] = body["data"]["resume"]
        return resume if resume["status"] != "PROCESSING" else None

    return await wait_until(settled, timeout=timeout, message=f"resume {resume_id}")


wait_for_resume = wait_for


# -- shared data -----------------------------------------------------------------------

RESUME_LINES = [
    "Jane Doe",
    "Senior Backend Engineer",
    "jane.doe@example.com | +1 415 555 0100 | San Francisco, CA",
    "",
    "Experience",
    "Senior Backend Engineer, Acme Corp",
    "Jan 2020 - Present",
    "- Cut p95 latency by 40% across the billing API",
    "Software Engineer, Globex",
    "Jun 2016 - Dec 2019",
    "- Built the order pipeline in Go",
    "",
    "Education",
    "Stanford University",
    "B.S. Computer Science, 2012 - 2016",
    "",
    "Skills",
    "Python, Go, PostgreSQL, Redis",
]
"""A text resume the offline parser reads completely (tests/test_resumes.py)."""

MASTER: dict[str, Any] = {  # a master resume (ResumeData) for tailoring
    "personalInfo": {
        "name": "Ada Lovelace",
        "title": "Backend Engineer",
        "email": "ada@example.com",
        "phone": "+1 555 0100",
        "location": "London",
    },
    "summary": "Backend engineer building APIs in Python and PostgreSQL. "
    "Results-driven engineer who cut p95 latency by 40% for 3 services.",
    "workExperience": [
        {
            "id": 1,
            "title": "Senior Software Engineer",
            "company": "Acme Corp",
            "location": "London",
            "years": "2019 - Present",
            "description": [
                "Spearheaded the migration of 12 services to FastAPI",
                "Reduced p95 latency by 40% with Redis caching",
                "Leveraged PostgreSQL partitioning to cut storage costs by $30k a year",
            ],
        },
        {
            "id": 2,
            "title": "Software Engineer",
            "company": "Initrode",
            "years": "2015 - 2019",
            "description": [
                "Built REST APIs in Django for 2 million users",
                "Ran the on-call rotation for a team of 6",
            ],
        },
    ],
    "education": [
        {
            "id": 1,
            "institution": "University of Waterloo",
            "degree": "BSc Computer Science",
            "years": "2011 - 2015",
        }
    ],
    "personalProjects": [],
    "additional": {
        "technicalSkills": ["Python", "PostgreSQL", "Redis", "FastAPI", "Django"],
        "languages": ["English", "French"],
        "certificationsTraining": ["PostgreSQL Associate"],
        "awards": [],
    },
    "customSections": {},
}

JOB = (
    "About Initech: Initech is a payments company in London. We are looking for a "
    "Senior Backend Engineer to join our platform team and build the APIs that "
    "move money for our customers. You will design services, own them in "
    "production and work with product and design every day. We leveraged a "
    "small team to grow fast and we want engineers who care about reliability. "
    "Requirements: 5+ years of experience building backend services in Python; "
    "strong SQL and PostgreSQL skills; experience with Kubernetes and Docker; "
    "REST APIs and caching. Nice to have: Terraform, Redis and Go. You will "
    "mentor engineers, review designs, and take part in an on-call rotation. "
    "We offer a friendly team, flexible hours, and a budget for learning and "
    "conferences every year, with time to write and share what you learn."
)
STAGES = [
    "RECEIVED",
    "KEYWORDS",
    "PLAN",
    "REWRITE",
    "SAFETY_NETS",
    "PASS_1",
    "PASS_2",
    "PASS_3",
    "LETTERS",
    "RENDER",
    "DONE",
]
