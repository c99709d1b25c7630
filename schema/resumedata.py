"""ResumeData as typed GraphQL objects (`Resume.content`) and its input
(`ResumeDataInput`, a partial update of the stored document).

The shape is `services/documents/resumedata.py`'s, the Refleum seed's ResumeData:
entries carry a `number` (the document's own `id`, renamed so that normalized caches
never take it for a global id) and custom sections are a list with a `key`.

Inputs follow the one clearing rule of the API: a field left out keeps its value,
`null` clears it (a string becomes "", a list becomes empty); a list given replaces
the stored list as a whole; objects (personalInfo, additional) merge field by field.
"""

from __future__ import annotations

from typing import Any, Self

import strawberry
from strawberry.types.unset import UNSET


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _texts(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


@strawberry.type(description="Who the resume is about and how to reach them.")
class PersonalInfo:
    name: str = strawberry.field(description="Full name; empty when unknown.")
    title: str = strawberry.field(description="Professional title (headline).")
    email: str = strawberry.field(description="Email address; empty when unknown.")
    phone: str = strawberry.field(description="Phone number as written.")
    location: str = strawberry.field(description="City, region or country.")
    website: str = strawberry.field(description="Personal website; empty when none.")
    linkedin: str = strawberry.field(description="LinkedIn profile; empty when none.")
    github: str = strawberry.field(description="GitHub profile; empty when none.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            **{
                key: _text(data, key)
                for key in (
                    "name",
                    "title",
                    "email",
                    "phone",
                    "location",
                    "website",
                    "linkedin",
                    "github",
                )
            }
        )


@strawberry.type(description="A job held, as the resume states it.")
class WorkExperience:
    number: int = strawberry.field(
        description="The entry's number inside this document (not a global id)."
    )
    title: str = strawberry.field(description="Job title.")
    company: str = strawberry.field(description="Employer.")
    location: str = strawberry.field(description="Where; empty when not stated.")
    years: str = strawberry.field(
        description='Dates as written, e.g. "Jan 2020 - Present".'
    )
    description: list[str] = strawberry.field(description="Bullets, in order.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            number=int(data.get("id") or 0),
            title=_text(data, "title"),
            company=_text(data, "company"),
            location=_text(data, "location"),
            years=_text(data, "years"),
            description=_texts(data, "description"),
        )


@strawberry.type(
    name="ResumeEducation", description="A school attended, as the resume states it."
)
class Education:
    number: int = strawberry.field(
        description="The entry's number inside this document (not a global id)."
    )
    institution: str = strawberry.field(description="School or university.")
    degree: str = strawberry.field(description="Degree or programme.")
    years: str = strawberry.field(description="Dates as written.")
    description: str = strawberry.field(description="Details; empty when none.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            number=int(data.get("id") or 0),
            institution=_text(data, "institution"),
            degree=_text(data, "degree"),
            years=_text(data, "years"),
            description=_text(data, "description"),
        )


@strawberry.type(description="A personal project, as the resume states it.")
class PersonalProject:
    number: int = strawberry.field(
        description="The entry's number inside this document (not a global id)."
    )
    name: str = strawberry.field(description="Project name.")
    role: str = strawberry.field(description="The person's role in it.")
    years: str = strawberry.field(description="Dates as written.")
    github: str = strawberry.field(description="Repository link; empty when none.")
    website: str = strawberry.field(description="Website; empty when none.")
    description: list[str] = strawberry.field(description="Bullets, in order.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            number=int(data.get("id") or 0),
            name=_text(data, "name"),
            role=_text(data, "role"),
            years=_text(data, "years"),
            github=_text(data, "github"),
            website=_text(data, "website"),
            description=_texts(data, "description"),
        )


@strawberry.type(description="Lists that are not entries: skills, languages, etc.")
class AdditionalInfo:
    technical_skills: list[str] = strawberry.field(description="Technical skills.")
    languages: list[str] = strawberry.field(description="Spoken languages.")
    certifications_training: list[str] = strawberry.field(
        description="Certifications and training."
    )
    awards: list[str] = strawberry.field(description="Awards and honours.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            technical_skills=_texts(data, "technicalSkills"),
            languages=_texts(data, "languages"),
            certifications_training=_texts(data, "certificationsTraining"),
            awards=_texts(data, "awards"),
        )


@strawberry.type(description="A section the standard shape has no place for.")
class CustomSection:
    key: str = strawberry.field(description="The section's key, unique in the resume.")
    title: str = strawberry.field(description="Heading as written.")
    items: list[str] = strawberry.field(description="Items, in order.")


@strawberry.type(description="The structured content of a resume (typed ResumeData).")
class ResumeData:
    personal_info: PersonalInfo = strawberry.field(description="Who and how to reach.")
    summary: str = strawberry.field(description="Summary paragraph; empty when none.")
    work_experience: list[WorkExperience] = strawberry.field(
        description="Jobs, in the document's order."
    )
    education: list[Education] = strawberry.field(
        description="Schools, in the document's order."
    )
    personal_projects: list[PersonalProject] = strawberry.field(
        description="Projects, in the document's order."
    )
    additional: AdditionalInfo = strawberry.field(
        description="Skills, languages, certifications, awards."
    )
    custom_sections: list[CustomSection] = strawberry.field(
        description="Other sections, in the document's order."
    )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            personal_info=PersonalInfo.from_dict(_dict(data, "personalInfo")),
            summary=_text(data, "summary"),
            work_experience=[
                WorkExperience.from_dict(d) for d in _dicts(data, "workExperience")
            ],
            education=[Education.from_dict(d) for d in _dicts(data, "education")],
            personal_projects=[
                PersonalProject.from_dict(d) for d in _dicts(data, "personalProjects")
            ],
            additional=AdditionalInfo.from_dict(_dict(data, "additional")),
            custom_sections=[
                CustomSection(
                    key=key,
                    title=_text(section, "title"),
                    items=_texts(section, "items"),
                )
                for key, section in _dict(data, "customSections").items()
                if isinstance(section, dict)
            ],
        )


# -- input: a partial update -----------------------------------------------------------

_CLEAR = "null clears it; left out keeps it."


@strawberry.input(description="Changes to personalInfo; " + _CLEAR)
class PersonalInfoInput:
    name: str | None = strawberry.field(default=UNSET, description="Full name.")
    title: str | None = strawberry.field(default=UNSET, description="Title.")
    email: str | None = strawberry.field(default=UNSET, description="Email.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone.")
    location: str | None = strawberry.field(default=UNSET, description="Location.")
    website: str | None = strawberry.field(default=UNSET, description="Website.")
    linkedin: str | None = strawberry.field(default=UNSET, description="LinkedIn.")
    github: str | None = strawberry.field(default=UNSET, description="GitHub.")


@strawberry.input(description="One job; missing strings are empty.")
class WorkExperienceInput:
    number: int | None = strawberry.field(
        default=None, description="Entry number; given in order when left out."
    )
    title: str = strawberry.field(default="", description="Job title.")
    company: str = strawberry.field(default="", description="Employer.")
    location: str = strawberry.field(default="", description="Where.")
    years: str = strawberry.field(default="", description="Dates as written.")
    description: list[str] = strawberry.field(
        default_factory=list, description="Bullets."
    )


@strawberry.input(
    name="ResumeEducationInput", description="One school; missing strings are empty."
)
class EducationInput:
    number: int | None = strawberry.field(
        default=None, description="Entry number; given in order when left out."
    )
    institution: str = strawberry.field(default="", description="School.")
    degree: str = strawberry.field(default="", description="Degree.")
    years: str = strawberry.field(default="", description="Dates as written.")
    description: str = strawberry.field(default="", description="Details.")


@strawberry.input(description="One project; missing strings are empty.")
class PersonalProjectInput:
    number: int | None = strawberry.field(
        default=None, description="Entry number; given in order when left out."
    )
    name: str = strawberry.field(default="", description="Project name.")
    role: str = strawberry.field(default="", description="Role.")
    years: str = strawberry.field(default="", description="Dates as written.")
    github: str = strawberry.field(default="", description="Repository link.")
    website: str = strawberry.field(default="", description="Website.")
    description: list[str] = strawberry.field(
        default_factory=list, description="Bullets."
    )


@strawberry.input(description="Changes to the additional lists; " + _CLEAR)
class AdditionalInfoInput:
    technical_skills: list[str] | None = strawberry.field(
        default=UNSET, description="Technical skills (replaces the list)."
    )
    languages: list[str] | None = strawberry.field(
        default=UNSET, description="Languages (replaces the list)."
    )
    certifications_training: list[str] | None = strawberry.field(
        default=UNSET, description="Certifications (replaces the list)."
    )
    awards: list[str] | None = strawberry.field(
        default=UNSET, description="Awards (replaces the list)."
    )


@strawberry.input(description="One custom section.")
class CustomSectionInput:
    key: str = strawberry.field(description="The section's key, unique.")
    title: str = strawberry.field(default="", description="Heading.")
    items: list[str] = strawberry.field(default_factory=list, description="Items.")


@strawberry.input(
    description="A partial update of a resume's content: " + _CLEAR + " Lists given "
    "replace the stored lists; the merged document is validated and a bad one "
    "changes nothing."
)
class ResumeDataInput:
    personal_info: PersonalInfoInput | None = strawberry.field(
        default=UNSET, description="Merged field by field; null clears every field."
    )
    summary: str | None = strawberry.field(default=UNSET, description="Summary.")
    work_experience: list[WorkExperienceInput] | None = strawberry.field(
        default=UNSET, description="Every job (replaces the list)."
    )
    education: list[EducationInput] | None = strawberry.field(
        default=UNSET, description="Every school (replaces the list)."
    )
    personal_projects: list[PersonalProjectInput] | None = strawberry.field(
        default=UNSET, description="Every project (replaces the list)."
    )
    additional: AdditionalInfoInput | None = strawberry.field(
        default=UNSET, description="Merged list by list; null clears every list."
    )
    custom_sections: list[CustomSectionInput] | None = strawberry.field(
        default=UNSET, description="Every custom section (replaces them all)."
    )
