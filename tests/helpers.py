"""Helpers of the end-to-end tests: GraphQL over the real HTTP client."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

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
  resume(id: $id) { id status fileType engine warnings errorCode structuredData }
}
"""


async def wait_for_resume(
    client: TestClient, token: str, resume_id: str, *, polls: int = 600
) -> dict[str, Any]:
    """The resume once it left PROCESSING (polled every 0.1 s, `polls` times)."""
    import asyncio

    resume: dict[str, Any] = {}
    for _ in range(polls):
        body = await gql(client, RESUME_STATE, {"id": resume_id}, token=token)
        resume = body["data"]["resume"]
        if resume["status"] != "PROCESSING":
            break
        await asyncio.sleep(0.1)
    return resume
