"""GraphQL types of the visitor chat: askProfile and its streamed twin,
transcripts (Pro), engagement insights and their exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay

from schema.base import Counter, Edge, PageInfo, UserError
from schema.base import int_ids as _int_ids
from schema.context import Info

if TYPE_CHECKING:
    from models.chat import ChatMessage, Conversation
    from services.chat import Citation as CitationRow
    from services.chat import Engagement as EngagementRow


@strawberry.enum(description="Where a cited passage comes from.")
class ChatSection(Enum):
    ABOUT = "about"
    LINKS = "links"
    CONTACT = "contact"
    SKILLS = "skills"
    EXPERIENCE = "experience"
    EDUCATION = "education"
    PROJECTS = "projects"
    CERTIFICATIONS = "certifications"


_ENTRY_TYPES = {
    "skills": "Skill",
    "experience": "Experience",
    "education": "Education",
    "projects": "Project",
    "certifications": "Certification",
}


@strawberry.type(description="A passage of the public profile an answer rests on.")
class Citation:
    section: ChatSection
    entry_id: strawberry.ID | None = strawberry.field(
        description="Global id of the section entry (null for profile fields)."
    )
    snippet: str

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Self:
        section = str(data.get("section"))
        entry = data.get("entry_id")
        type_name = _ENTRY_TYPES.get(section)
        return cls(
            section=ChatSection(section),
            entry_id=strawberry.ID(relay.to_base64(type_name, int(entry)))  # type: ignore[call-overload]
            if type_name and entry is not None
            else None,
            snippet=str(data.get("snippet") or ""),
        )

    @classmethod
    def from_row(cls, row: CitationRow) -> Self:
        return cls.from_dict(row.as_dict())


@strawberry.input
class AskProfileInput:
    username: str
    question: str = strawberry.field(description="At most 500 characters.")
    conversation_id: str | None = strawberry.field(
        default=None, description="Continue a conversation (from an earlier answer)."
    )


@strawberry.type
class AskProfilePayload:
    answer: str | None = None
    answered: bool | None = strawberry.field(
        default=None, description="False when the profile holds no answer."
    )
    citations: list[Citation] = strawberry.field(default_factory=list)
    conversation_id: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A piece of a streamed answer; the last has done true.")
class ProfileAnswerEvent:
    delta: str
    done: bool
    answer: str | None = None
    answered: bool | None = None
    citations: list[Citation] = strawberry.field(default_factory=list)
    conversation_id: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# -- transcripts -----------------------------------------------------------------------


@strawberry.type
class TranscriptMessage:
    question: str
    answer: str
    answered: bool
    citations: list[Citation]
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: ChatMessage) -> Self:
        return cls(
            question=row.question,
            answer=row.answer,
            answered=row.answered,
            citations=[Citation.from_dict(c) for c in row.citations],
            created_at=row.created_at,
        )


@strawberry.type(
    name="Transcript",
    description="A visitor's conversation with the profile (Pro). The visitor is "
    "a salted hash of the IP and the browser family, nothing more.",
)
class TranscriptNode(relay.Node):
    id: relay.NodeID[int]
    visitor_hash: str
    question_count: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: Conversation) -> Self:
        return cls(
            id=row.id,
            visitor_hash=row.visitor_hash,
            question_count=row.question_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Questions and answers, oldest first.")
    async def messages(self, info: Info) -> list[TranscriptMessage]:
        rows = await info.context.loaders.chat.messages_by_conversation.load(self.id)
        return [TranscriptMessage.from_row(r) for r in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.chat.transcript_by_id.load_many(
            _int_ids(node_ids)
        )
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(
    description="Transcripts, newest first. Below Pro: `available` false, no edges."
)
class TranscriptConnection:
    edges: list[Edge[TranscriptNode]] = strawberry.field(
        description="The page's transcripts."
    )
    page_info: PageInfo = strawberry.field(description="Where the page stands.")
    available: bool = strawberry.field(
        description="The plan includes transcripts (Pro); false: no edges."
    )
    effective_plan: str = strawberry.field(
        description="The organization's effective plan key."
    )
    counter: strawberry.Private[Counter]

    @strawberry.field(description="The page's transcripts without their cursors.")
    def nodes(self) -> list[TranscriptNode]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many transcripts the range holds (0 below Pro): one "
        "COUNT query, run only when this field is selected."
    )
    async def total_count(self) -> int:
        return await self.counter()


@strawberry.input
class DeleteTranscriptInput:
    id: strawberry.ID


@strawberry.type
class DeleteTranscriptPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


# -- engagement and exports ------------------------------------------------------------


@strawberry.type(description="Visitor chat activity of one UTC day.")
class DailyEngagement:
    day: dt.date
    conversations: int
    questions: int
    answered: int
    unanswered: int


@strawberry.type
class QuestionCount:
    question: str
    count: int


@strawberry.type
class SectionCount:
    section: ChatSection
    count: int


@strawberry.type(description="Visitor chat engagement per UTC day.")
class Engagement:
    days: list[DailyEngagement]
    conversations: int
    questions: int
    answered: int
    unanswered: int
    top_questions: list[QuestionCount]
    most_cited_sections: list[SectionCount]

    @classmethod
    def from_row(cls, row: EngagementRow) -> Self:
        days = [
            DailyEngagement(
                day=d.day,
                conversations=d.conversations,
                questions=d.questions,
                answered=d.answered,
                unanswered=d.unanswered,
            )
            for d in row.days
        ]
        return cls(
            days=days,
            conversations=sum(d.conversations for d in days),
            questions=sum(d.questions for d in days),
            answered=sum(d.answered for d in days),
            unanswered=sum(d.unanswered for d in days),
            top_questions=[
                QuestionCount(question=q, count=n) for q, n in row.top_questions
            ],
            most_cited_sections=[
                SectionCount(section=ChatSection(s), count=n)
                for s, n in row.most_cited_sections
            ],
        )


@strawberry.enum
class ChatExportFormat(Enum):
    JSON = "JSON"
    CSV = "CSV"


@strawberry.input
class ExportTranscriptsInput:
    format: ChatExportFormat
    from_: dt.date | None = strawberry.field(default=None, name="from")
    to: dt.date | None = None


@strawberry.input
class ExportInsightsInput:
    format: ChatExportFormat
    from_: dt.date = strawberry.field(name="from")
    to: dt.date


@strawberry.type
class ChatExportPayload:
    url: str | None = strawberry.field(
        default=None, description="Expiring signed download link."
    )
    expires_at: dt.datetime | None = None
    filename: str | None = None
    content_type: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
