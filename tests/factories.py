"""Factories: state created directly through the services (the ORM where no service
exists), for tests whose subject is not how that state came to be.

A test of tailoring needs a READY master resume, not an upload and a parse: the
upload tests (tests/test_resumes.py and the end-to-end tests of the parser) cover
those. Users still sign up over HTTP (`tests.helpers.sign_up`): the tests need
their tokens; the factories take the user's email.
"""

from __future__ import annotations

import json
from typing import Any

from strawberry import relay

from models.accounts import Membership, User
from services import agents, profiles, resumes
from services.accounts import Actor
from services.documents.sandbox import parse_document
from services.pubsub import MemoryPubSub


async def actor(email: str = "ada@example.com") -> Actor:
    """The session actor of the user `email` in their default organization."""
    user = await User.get(email=email)
    organization_id = user.default_organization_id
    membership = await Membership.get(user_id=user.id, organization_id=organization_id)
    return Actor(
        kind="session",
        user_id=user.id,
        organization_id=organization_id,
        role=membership.role,
    )


def global_id(type_name: str, row_id: int) -> str:
    return str(relay.GlobalID(type_name, str(row_id)))


async def ready_resume(
    data: dict[str, Any],
    *,
    email: str = "ada@example.com",
    filename: str = "resume.json",
    master: bool = False,
    tags: list[str] | None = None,
) -> str:
    """A READY resume of `email`'s organization whose structured data is what the
    JSON parse of `data` gives, as a parsed upload of `data` would be: one credit
    charged, the first resume the master (or any, with `master`). Its global id."""
    who = await actor(email)
    source = json.dumps(data).encode()
    resume = await resumes.upload_resume(
        actor=who,
        file=resumes.UploadedFile(
            filename=filename, content_type="application/json", data=source
        ),
        set_as_master=master,
        tags=tags or [],
        locale=None,
        title=None,
    )
    parsed = parse_document(data=source, kind="json")  # in process: no sandbox
    await resumes.set_stage(
        MemoryPubSub(),  # nobody listens to a factory's events
        resume,
        attempt=0,
        stage="done",
        progress=100,
        master_rule=True,
        status="READY",
        text=parsed.text,
        structured_data=dict(parsed.structured),
        engine="offline",
        warnings=[],
        error_code=None,
        error_message=None,
    )
    return global_id("Resume", resume.id)


SECTION_TYPES = {
    "skills": "Skill",
    "experience": "Experience",
    "education": "Education",
    "projects": "Project",
    "certifications": "Certification",
}


async def profile_entries(
    kind: profiles.SectionKind,
    rows: list[dict[str, Any]],
    *,
    email: str = "ada@example.com",
) -> list[str]:
    """Entries of a profile section (`rows` in the service's field names), in
    order, as `create<Type>` would make them; their global ids."""
    who = await actor(email)
    created = [
        await profiles.create_section_row(actor=who, kind=kind, values=row)
        for row in rows
    ]
    return [global_id(SECTION_TYPES[kind], row.id) for row in created]


async def agent(email: str = "ada@example.com", **changes: Any) -> str:
    """An agent of `email`'s organization (`changes` as createAgent's input in
    snake case: name, personality, visibility …); its global id."""
    created = await agents.create_agent(actor=await actor(email), changes=changes)
    return global_id("Agent", created.id)
