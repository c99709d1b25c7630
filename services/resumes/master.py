"""The master resume and the resume a request works from: one place for "this id
or the organization's master" and one for "the resume must be READY"; the
organization's lock that serializes the writes reading before they write."""

from __future__ import annotations

from typing import Any

from models.accounts import Organization
from models.resumes import Resume
from services.errors import NotFound, ServiceError, ValidationFailed


class NoMasterResume(ServiceError):
    code = "NO_MASTER_RESUME"


async def lock_organization(organization_id: int) -> None:
    """Serialize, until the transaction ends, the writes of one organization that
    read before they write (the master, tailoring slots). PostgreSQL locks the
    organization's row; SQLite runs one write transaction at a time anyway."""
    await (
        Organization.select_for_update(no_key=True)
        .filter(id=organization_id)
        .only("id")
        .first()
    )


async def source_resume(
    *, organization_id: int, resume_id: int | None, field: str = "resumeId"
) -> Resume:
    """The resume `resume_id` of the organization, or its master when None."""
    if resume_id is None:
        master = await Resume.get_or_none(
            organization_id=organization_id, is_master=True
        )
        if master is None:
            raise NoMasterResume(
                "The organization has no master resume; upload one or pass resumeId",
                field=[field],
            )
        return master
    found = await Resume.get_or_none(id=resume_id, organization_id=organization_id)
    if found is None:
        raise NotFound("Resume not found", field=[field])
    return found


def require_ready(
    resume: Resume, *, field: str = "resumeId", use: str = "used"
) -> dict[str, Any]:
    """A resume is worked from only once READY with structured data (returned)."""
    if resume.status != "READY" or not resume.structured_data:
        raise ValidationFailed(
            f"The resume is {resume.status}; only a READY resume is {use}",
            field=[field],
        )
    data: dict[str, Any] = resume.structured_data
    return data


async def hand_on_master(organization_id: int) -> int | None:
    """Keep the rule "exactly one master while there is a READY resume": with
    no master, or a FAILED one, the newest READY resume takes the role. Called
    inside a transaction holding the organization's lock, when a master is
    deleted or fails and when a run ends READY. Returns the master's id."""
    masters = await Resume.filter(
        organization_id=organization_id, is_master=True
    ).values_list("id", "status")
    keep = [int(i) for i, status in masters if status != "FAILED"]
    if len(keep) == 1 and len(masters) == 1:
        return keep[0]
    successor = (
        await Resume.filter(organization_id=organization_id, status="READY")
        .order_by("-created_at", "-id")
        .only("id")
        .first()
    )
    if successor is None:
        return keep[0] if keep else None
    await (
        Resume.filter(organization_id=organization_id, is_master=True)
        .exclude(id=successor.id)
        .update(is_master=False)
    )
    await Resume.filter(id=successor.id).update(is_master=True)
    return successor.id
