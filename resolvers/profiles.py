"""Resolvers of the profiles domain: profile fields, section entries, ordering,
theme, layout, the public face, exports, import and reset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.unset import UNSET

from models.profiles import SectionRow
from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id, given_fields
from schema.base import UserError, enum_or
from schema.context import Info
from schema.presentation import (
    Font,
    Layout,
    Theme,
    ThemeKey,
)
from schema.profile_inputs import (
    CreateCertificationInput,
    CreateEducationInput,
    CreateExperienceInput,
    CreateProjectInput,
    CreateSkillInput,
    DeleteSectionEntryInput,
    RecordProfileViewInput,
    ReorderSectionInput,
    UpdateCertificationInput,
    UpdateEducationInput,
    UpdateExperienceInput,
    UpdateLayoutInput,
    UpdateProfileInput,
    UpdateProjectInput,
    UpdateSkillInput,
    UpdateThemeInput,
)
from schema.profile_payloads import (
    CertificationPayload,
    DeleteSectionEntryPayload,
    EducationPayload,
    ExperiencePayload,
    ProjectPayload,
    RecordProfileViewPayload,
    ReorderSectionPayload,
    SkillPayload,
    UpdateLayoutPayload,
    UpdateProfilePayload,
    UpdateThemePayload,
)
from schema.profile_sections import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProjectNode,
    SectionKind,
    SkillNode,
)
from schema.profiles import (
    ProfileNode,
    PublicProfile,
)
from services import privacy, profiles
from services.errors import NotFound, ServiceError


async def _plan(info: Info) -> str:
    """The effective plan (`services.entitlements`), once per request."""
    return (await info.context.loaders.entitlement()).plan.id


# -- profile ---------------------------------------------------------------------------


async def update_profile(info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
    try:
        row = await profiles.update_profile(
            actor=info.context.require_actor(), changes=given_fields(input)
        )
    except ServiceError as exc:
        return UpdateProfilePayload(user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    return UpdateProfilePayload(profile=ProfileNode.from_row(row))


# -- section entries -------------------------------------------------------------------


async def _create(info: Info, kind: profiles.SectionKind, input: object) -> SectionRow:
    actor = info.context.require_actor()
    row = await profiles.create_section_row(
        actor=actor, kind=kind, values=given_fields(input)
    )
    info.context.loaders.profiles.forget()
    return row


async def _update(
    info: Info, kind: profiles.SectionKind, input: object, row_id: strawberry.ID
) -> SectionRow:
    actor = info.context.require_actor()
    key = decode_node_id(row_id, profiles.SINGULAR[kind])
    row = await profiles.update_section_row(
        actor=actor, kind=kind, row_id=key, changes=given_fields(input)
    )
    info.context.loaders.profiles.forget()
    return row


async def _delete(
    info: Info, kind: profiles.SectionKind, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    try:
        row_id = decode_node_id(input.id, profiles.SINGULAR[kind])
        await profiles.delete_section_row(
            actor=info.context.require_actor(), kind=kind, row_id=row_id
        )
    except ServiceError as exc:
        return DeleteSectionEntryPayload(user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    return DeleteSectionEntryPayload(deleted_id=input.id)


_Payload = TypeVar(
    "_Payload",
    SkillPayload,
    ExperiencePayload,
    EducationPayload,
    ProjectPayload,
    CertificationPayload,
)


@dataclass(frozen=True, slots=True)
class _Section(Generic[_Payload]):
    """One section kind as its mutations answer it: the payload built from the
    saved row (or the user errors)."""

    kind: profiles.SectionKind
    payload: Callable[[Any, list[UserError]], _Payload]


SKILLS = _Section(
    "skills",
    lambda row, errors: SkillPayload(
        skill=SkillNode.from_row(row) if row else None, user_errors=errors
    ),
)
EXPERIENCE = _Section(
    "experience",
    lambda row, errors: ExperiencePayload(
        experience=ExperienceNode.from_row(row) if row else None, user_errors=errors
    ),
)
EDUCATION = _Section(
    "education",
    lambda row, errors: EducationPayload(
        education=EducationNode.from_row(row) if row else None, user_errors=errors
    ),
)
PROJECTS = _Section(
    "projects",
    lambda row, errors: ProjectPayload(
        project=ProjectNode.from_row(row) if row else None, user_errors=errors
    ),
)
CERTIFICATIONS = _Section(
    "certifications",
    lambda row, errors: CertificationPayload(
        certification=CertificationNode.from_row(row) if row else None,
        user_errors=errors,
    ),
)


async def _save(
    info: Info,
    section: _Section[_Payload],
    input: object,
    *,
    row_id: strawberry.ID | None = None,
) -> _Payload:
    """Create (no `row_id`) or update one entry; its payload either way."""
    try:
        row = await (
            _create(info, section.kind, input)
            if row_id is None
            else _update(info, section.kind, input, row_id)
        )
    except ServiceError as exc:
        return section.payload(None, user_errors(exc))
    return section.payload(row, [])


async def create_skill(info: Info, input: CreateSkillInput) -> SkillPayload:
    return await _save(info, SKILLS, input)


async def update_skill(info: Info, input: UpdateSkillInput) -> SkillPayload:
    return await _save(info, SKILLS, input, row_id=input.id)


async def delete_skill(
    info: Info, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    return await _delete(info, "skills", input)


async def create_experience(
    info: Info, input: CreateExperienceInput
) -> ExperiencePayload:
    return await _save(info, EXPERIENCE, input)


async def update_experience(
    info: Info, input: UpdateExperienceInput
) -> ExperiencePayload:
    return await _save(info, EXPERIENCE, input, row_id=input.id)


async def delete_experience(
    info: Info, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    return await _delete(info, "experience", input)


async def create_education(info: Info, input: CreateEducationInput) -> EducationPayload:
    return await _save(info, EDUCATION, input)


async def update_education(info: Info, input: UpdateEducationInput) -> EducationPayload:
    return await _save(info, EDUCATION, input, row_id=input.id)


async def delete_education(
    info: Info, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    return await _delete(info, "education", input)


async def create_project(info: Info, input: CreateProjectInput) -> ProjectPayload:
    return await _save(info, PROJECTS, input)


async def update_project(info: Info, input: UpdateProjectInput) -> ProjectPayload:
    return await _save(info, PROJECTS, input, row_id=input.id)


async def delete_project(
    info: Info, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    return await _delete(info, "projects", input)


async def create_certification(
    info: Info, input: CreateCertificationInput
) -> CertificationPayload:
    return await _save(info, CERTIFICATIONS, input)


async def update_certification(
    info: Info, input: UpdateCertificationInput
) -> CertificationPayload:
    return await _save(info, CERTIFICATIONS, input, row_id=input.id)


async def delete_certification(
    info: Info, input: DeleteSectionEntryInput
) -> DeleteSectionEntryPayload:
    return await _delete(info, "certifications", input)


async def reorder_section(
    info: Info, input: ReorderSectionInput
) -> ReorderSectionPayload:
    kind: profiles.SectionKind = input.section.value
    ids: list[int | None] = []
    for global_id in input.ids:
        try:
            ids.append(decode_node_id(global_id, profiles.SINGULAR[kind]))
        except NotFound:
            ids.append(None)
    try:
        await profiles.reorder_section(
            actor=info.context.require_actor(), kind=kind, ids=ids
        )
    except ServiceError as exc:
        return ReorderSectionPayload(user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    row = await info.context.loaders.profiles.profile()
    return ReorderSectionPayload(profile=ProfileNode.from_row(row))


# -- presentation ----------------------------------------------------------------------


DEFAULT_ACCENT = "#2563eb"  # the column's default (models.profiles.Profile)


def _or_default(value: str | None, default: str) -> str | None:
    """The clearing rule for settings with a default: left out (UNSET) keeps
    (None to the service), null puts back `default`."""
    if value is UNSET:
        return None
    return default if value is None else value


def _kinds(value: list[SectionKind] | None) -> list[str] | None:
    """Left out keeps (None to the service), null is the empty list (the default
    order, nothing hidden)."""
    if value is UNSET:
        return None
    return [k.value for k in value] if value is not None else []


async def update_theme(info: Info, input: UpdateThemeInput) -> UpdateThemePayload:
    actor = info.context.require_actor()  # UNAUTHENTICATED before any plan read
    plan = await _plan(info)
    try:
        row = await profiles.update_theme(
            actor=actor,
            plan_id=plan,
            theme_id=_or_default(
                (
                    input.theme_id.value
                    if isinstance(input.theme_id, ThemeKey)
                    else input.theme_id
                ),
                profiles.DEFAULT_THEME,
            ),
            accent_color=_or_default(input.accent_color, DEFAULT_ACCENT),
        )
    except ServiceError as exc:  # the current theme comes back, unchanged
        current = Theme.from_state(*await info.context.loaders.profiles.theme())
        return UpdateThemePayload(theme=current, user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    state = profiles.theme_state(row, plan)
    return UpdateThemePayload(theme=Theme.from_state(state, profiles.THEMES))


async def update_layout(info: Info, input: UpdateLayoutInput) -> UpdateLayoutPayload:
    actor = info.context.require_actor()  # UNAUTHENTICATED before any plan read
    plan = await _plan(info)
    try:
        row = await profiles.update_layout(
            actor=actor,
            plan_id=plan,
            section_order=_kinds(input.section_order),
            hidden_sections=_kinds(input.hidden_sections),
            font=_or_default(
                input.font.value if isinstance(input.font, Font) else input.font,
                profiles.DEFAULT_FONT,
            ),
        )
    except ServiceError as exc:  # the current layout comes back, unchanged
        current = Layout.from_state(*await info.context.loaders.profiles.layout())
        return UpdateLayoutPayload(layout=current, user_errors=user_errors(exc))
    info.context.loaders.profiles.forget()
    state = profiles.layout_state(row, plan)
    return UpdateLayoutPayload(layout=Layout.from_state(state, profiles.FONT_OPTIONS))


# -- public face -----------------------------------------------------------------------


async def public_profile(info: Info, username: str) -> PublicProfile | None:
    found = await profiles.public_profile(
        username=username, cache=info.context.runtime.profile_cache
    )
    if found is None:
        return None
    row = found.profile
    state = profiles.theme_state(row, found.plan_id)
    contact = privacy.public_contact(row)
    sections = found.sections

    def rows(kind: profiles.SectionKind) -> list[Any] | None:
        return sections.get(kind)

    return PublicProfile(
        username=row.username or "",
        full_name=row.full_name,
        headline=row.headline,
        bio=row.bio,
        location=row.location,
        website=row.website,
        github_url=row.github_url,
        linkedin_url=row.linkedin_url,
        open_to_work=row.open_to_work,
        email=contact.email,
        phone=contact.phone,
        theme_id=enum_or(ThemeKey, state.effective_theme_id, ThemeKey.CLASSIC),
        accent_color=row.accent_color,
        font=Font(profiles.layout_state(row, found.plan_id).effective_font),
        sections=[SectionKind(k) for k in sections],
        skills=_nodes(SkillNode, rows("skills")),
        experience=_nodes(ExperienceNode, rows("experience")),
        education=_nodes(EducationNode, rows("education")),
        projects=_nodes(ProjectNode, rows("projects")),
        certifications=_nodes(CertificationNode, rows("certifications")),
    )


_Node = TypeVar(
    "_Node", SkillNode, ExperienceNode, EducationNode, ProjectNode, CertificationNode
)


def _nodes(node_type: type[_Node], rows: list[Any] | None) -> list[_Node] | None:
    return None if rows is None else [node_type.from_row(r) for r in rows]


async def record_profile_view(
    info: Info, input: RecordProfileViewInput
) -> RecordProfileViewPayload:
    try:
        counted = await profiles.record_profile_view(
            username=input.username,
            ip=info.context.meta.ip,
            limiter=info.context.runtime.limiter,
        )
    except ServiceError as exc:
        return RecordProfileViewPayload(user_errors=user_errors(exc))
    return RecordProfileViewPayload(counted=counted)
