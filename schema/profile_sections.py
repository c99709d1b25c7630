"""GraphQL types of the profile's section entries: skills, work experience,
education, projects and certifications (each a Node), and the SectionKind enum."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay

from schema.base import int_ids as _int_ids
from schema.context import Info

if TYPE_CHECKING:
    from models.profiles import Certification as CertificationRow
    from models.profiles import Education as EducationRow
    from models.profiles import Experience as ExperienceRow
    from models.profiles import Project as ProjectRow
    from models.profiles import Skill as SkillRow


@strawberry.enum(description="A section of the profile.")
class SectionKind(Enum):
    SKILLS = "skills"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    PROJECTS = "projects"
    CERTIFICATIONS = "certifications"


@strawberry.type(name="Skill")
class SkillNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    category: str | None
    level: str | None
    years: float | None
    position: int

    @classmethod
    def from_row(cls, row: SkillRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            category=row.category,
            level=row.level,
            years=row.years,
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("skills")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]  # type: ignore[arg-type]


@strawberry.type(name="Experience")
class ExperienceNode(relay.Node):
    id: relay.NodeID[int]
    title: str
    company: str
    location: str | None
    start_date: str | None = strawberry.field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    end_date: str | None
    current: bool
    description: list[str] = strawberry.field(description="Bullets, in order.")
    position: int

    @classmethod
    def from_row(cls, row: ExperienceRow) -> Self:
        return cls(
            id=row.id,
            title=row.title,
            company=row.company,
            location=row.location,
            start_date=row.start_date,
            end_date=row.end_date,
            current=row.current,
            description=list(row.description),
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("experience")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]  # type: ignore[arg-type]


@strawberry.type(name="Education")
class EducationNode(relay.Node):
    id: relay.NodeID[int]
    institution: str
    degree: str | None
    field: str | None
    start_date: str | None
    end_date: str | None
    description: list[str]
    courses: list[str]
    position: int

    @classmethod
    def from_row(cls, row: EducationRow) -> Self:
        return cls(
            id=row.id,
            institution=row.institution,
            degree=row.degree,
            field=row.field,
            start_date=row.start_date,
            end_date=row.end_date,
            description=list(row.description),
            courses=list(row.courses),
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("education")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]  # type: ignore[arg-type]


@strawberry.type(name="Project")
class ProjectNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    role: str | None
    start_date: str | None
    end_date: str | None
    urls: list[str]
    description: list[str]
    position: int

    @classmethod
    def from_row(cls, row: ProjectRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            role=row.role,
            start_date=row.start_date,
            end_date=row.end_date,
            urls=list(row.urls),
            description=list(row.description),
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("projects")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]  # type: ignore[arg-type]


@strawberry.type(name="Certification")
class CertificationNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    issuer: str | None
    issued: str | None
    expires: str | None
    credential_url: str | None
    position: int

    @classmethod
    def from_row(cls, row: CertificationRow) -> Self:
        return cls(
            id=row.id,
            name=row.name,
            issuer=row.issuer,
            issued=row.issued,
            expires=row.expires,
            credential_url=row.credential_url,
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        loader = info.context.loaders.profiles.row_by_id("certifications")
        rows = await loader.load_many(_int_ids(node_ids))
        return [cls.from_row(r) if r else None for r in rows]  # type: ignore[arg-type]
