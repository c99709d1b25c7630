"""GraphQL types of the profile's section entries: skills, work experience,
education, projects and certifications (each a Node), and the SectionKind enum."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any, Self, TypeVar

import strawberry
from strawberry import relay

from schema.base import Node
from schema.base import int_ids as _int_ids
from schema.context import Info
from schema.docs import describe_values
from schema.scalars import URL, PartialDate

if TYPE_CHECKING:
    from models.profiles import Certification as CertificationRow
    from models.profiles import Education as EducationRow
    from models.profiles import Experience as ExperienceRow
    from models.profiles import Project as ProjectRow
    from models.profiles import Skill as SkillRow
    from services.profiles import SectionKind as SectionKindName

_N = TypeVar("_N")


async def _load_section(
    info: Info,
    node_ids: Iterable[str],
    kind: SectionKindName,
    make: Callable[[Any], _N],
) -> list[_N | None]:
    """`load_nodes` of a section's nodes: the rows by id, None where none is found."""
    loader = info.context.loaders.profiles.row_by_id(kind)
    rows = await loader.load_many(_int_ids(node_ids))
    return [make(r) if r else None for r in rows]


@describe_values(
    SKILLS="Skills (Profile.skills).",
    EXPERIENCE="Work experience (Profile.experience).",
    EDUCATION="Education (Profile.education).",
    PROJECTS="Projects (Profile.projects).",
    CERTIFICATIONS="Certifications (Profile.certifications).",
)
@strawberry.enum(description="A section of the profile.")
class SectionKind(Enum):
    SKILLS = "skills"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    PROJECTS = "projects"
    CERTIFICATIONS = "certifications"


@strawberry.type(name="Skill", description="A skill of the profile.")
class SkillNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(
        description='The skill, 1 to 100 characters (e.g. "PostgreSQL").'
    )
    category: str | None = strawberry.field(
        description=(
            'A grouping chosen by the owner (e.g. "Databases"), at most '
            "100 characters; null when none."
        )
    )
    level: str | None = strawberry.field(
        description=(
            'Proficiency in the owner\'s words (e.g. "expert"), at most 50'
            " characters; null when none."
        )
    )
    years: float | None = strawberry.field(
        description=(
            "Years of practice, 0 to 80 (fractions allowed); null when not stated."
        )
    )
    position: int = strawberry.field(
        description=(
            "Order of the entry in its section, 0 first (gaps after deletions)."
        )
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return await _load_section(info, node_ids, "skills", cls.from_row)


@strawberry.type(
    name="Experience", description="A job held: a work experience entry of the profile."
)
class ExperienceNode(Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="Job title, 1 to 200 characters.")
    company: str = strawberry.field(description="Employer, 1 to 200 characters.")
    location: str | None = strawberry.field(
        description="Where the job was; null when not stated."
    )
    start_date: str | None = strawberry.field(
        description="When the job started; null when unknown.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description=(
            "When the job ended; null while current or unknown (never "
            "before startDate)."
        ),
        graphql_type=PartialDate | None,
    )
    current: bool = strawberry.field(
        description="True for a job held now (then endDate is null)."
    )
    description: list[str] = strawberry.field(description="Bullets, in order.")
    position: int = strawberry.field(
        description=(
            "Order of the entry in its section, 0 first (gaps after deletions)."
        )
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return await _load_section(info, node_ids, "experience", cls.from_row)


@strawberry.type(
    name="Education",
    description="A school attended: an education entry of the profile.",
)
class EducationNode(Node):
    id: relay.NodeID[int]
    institution: str = strawberry.field(
        description="School or university, 1 to 200 characters."
    )
    degree: str | None = strawberry.field(
        description='Degree or programme (e.g. "BSc"); null when none.'
    )
    field: str | None = strawberry.field(description="Field of study; null when none.")
    start_date: str | None = strawberry.field(
        description="When studies started; null when unknown.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description="When studies ended (or are expected to); null when unknown.",
        graphql_type=PartialDate | None,
    )
    description: list[str] = strawberry.field(
        description="Details, in order (at most 50 items)."
    )
    courses: list[str] = strawberry.field(
        description="Courses taken, in order (at most 50)."
    )
    position: int = strawberry.field(
        description=(
            "Order of the entry in its section, 0 first (gaps after deletions)."
        )
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return await _load_section(info, node_ids, "education", cls.from_row)


@strawberry.type(name="Project", description="A project of the profile.")
class ProjectNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Project name, 1 to 200 characters.")
    role: str | None = strawberry.field(
        description="The owner's role in it; null when none."
    )
    start_date: str | None = strawberry.field(
        description="When the project started; null when unknown.",
        graphql_type=PartialDate | None,
    )
    end_date: str | None = strawberry.field(
        description="When it ended; null while ongoing or unknown.",
        graphql_type=PartialDate | None,
    )
    urls: list[str] = strawberry.field(
        description="Links to the project (repository, site), in order.",
        graphql_type=list[URL],
    )
    description: list[str] = strawberry.field(
        description="Bullets, in order (at most 50)."
    )
    position: int = strawberry.field(
        description=(
            "Order of the entry in its section, 0 first (gaps after deletions)."
        )
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return await _load_section(info, node_ids, "projects", cls.from_row)


@strawberry.type(name="Certification", description="A certification of the profile.")
class CertificationNode(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Certification name, 1 to 200 characters.")
    issuer: str | None = strawberry.field(
        description="Who issued it; null when not stated."
    )
    issued: str | None = strawberry.field(
        description="When it was issued; null when unknown.",
        graphql_type=PartialDate | None,
    )
    expires: str | None = strawberry.field(
        description=("When it expires (never before issued); null when it does not."),
        graphql_type=PartialDate | None,
    )
    credential_url: str | None = strawberry.field(
        description="Where the credential can be verified; null when none.",
        graphql_type=URL | None,
    )
    position: int = strawberry.field(
        description=(
            "Order of the entry in its section, 0 first (gaps after deletions)."
        )
    )

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
    ) -> list[Self | None]:
        return await _load_section(info, node_ids, "certifications", cls.from_row)
