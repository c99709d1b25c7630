"""GraphQL types of the visitor chat: askProfile and its streamed twin,
transcripts (Pro), engagement insights and their exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Self

import strawberry
from strawberry import relay

from schema.accounts import PlanKey
from schema.base import Counter, Edge, Node, PageInfo, UserError
from schema.base import int_ids as _int_ids
from schema.context import Info
from schema.docs import describe_values

if TYPE_CHECKING:
    from models.chat import ChatMessage, Conversation
    from services.chat import Citation as CitationRow
    from services.chat import Engagement as EngagementRow


@describe_values(
    ABOUT="The profile's headline and bio.",
    LINKS="The profile's links.",
    CONTACT="The profile's contact details.",
    SKILLS="A skill entry.",
    EXPERIENCE="A work experience entry.",
    EDUCATION="An education entry.",
    PROJECTS="A project entry.",
    CERTIFICATIONS="A certification entry.",
)
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
    section: ChatSection = strawberry.field(
        description="The profile section of the passage."
    )
    entry_id: strawberry.ID | None = strawberry.field(
        description="Global id of the section entry (null for profile fields)."
    )
    snippet: str = strawberry.field(description="The cited text.")

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Self:
        section = str(data.get("section"))
        entry = data.get("entry_id")
        type_name = _ENTRY_TYPES.get(section)
        return cls(
            section=ChatSection(section),
            entry_id=strawberry.ID(relay.to_base64(type_name, entry))
            if type_name and isinstance(entry, int)
            else None,
            snippet=str(data.get("snippet") or ""),
        )

    @classmethod
    def from_row(cls, row: CitationRow) -> Self:
        return cls.from_dict(row.as_dict())


@strawberry.input(description="A visitor's question to a public profile.")
class AskProfileInput:
    username: str = strawberry.field(description="The profile's public username.")
    question: str = strawberry.field(description="At most 500 characters.")
    conversation_id: str | None = strawberry.field(
        default=None, description="Continue a conversation (from an earlier answer)."
    )


@strawberry.type(description="The answer to askProfile.")
class AskProfilePayload:
    answer: str | None = strawberry.field(
        default=None, description="The answer; null on a user error."
    )
    answered: bool | None = strawberry.field(
        default=None, description="False when the profile holds no answer."
    )
    citations: list[Citation] = strawberry.field(
        description="The profile passages the answer rests on.", default_factory=list
    )
    conversation_id: str | None = strawberry.field(
        default=None, description="Pass it back to continue the conversation."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


@strawberry.type(description="A piece of a streamed answer; the last has done true.")
class ProfileAnswerEvent:
    delta: str = strawberry.field(description="The text added by this piece.")
    done: bool = strawberry.field(description="True on the last piece.")
    answer: str | None = strawberry.field(
        default=None, description="The whole answer (last piece only)."
    )
    answered: bool | None = strawberry.field(
        default=None, description="False when the profile holds no answer (last piece)."
    )
    citations: list[Citation] = strawberry.field(
        description="Passages the answer rests on (last piece).", default_factory=list
    )
    conversation_id: str | None = strawberry.field(
        default=None, description="Pass it back to continue (last piece)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


# -- transcripts -----------------------------------------------------------------------


@strawberry.type(description="One question of a transcript and its answer.")
class TranscriptMessage:
    question: str = strawberry.field(description="The visitor's question.")
    answer: str = strawberry.field(description="The answer given.")
    answered: bool = strawberry.field(
        description="False when the profile held no answer."
    )
    citations: list[Citation] = strawberry.field(
        description="Passages the answer rested on."
    )
    created_at: dt.datetime = strawberry.field(description="When it was asked.")

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
class TranscriptNode(Node):
    id: relay.NodeID[int]
    visitor_hash: str = strawberry.field(
        description="The visitor, as a salted hash (no IP)."
    )
    question_count: int = strawberry.field(description="How many questions it holds.")
    created_at: dt.datetime = strawberry.field(
        description="When the conversation started."
    )
    updated_at: dt.datetime = strawberry.field(description="When it last changed.")

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
    async def load_nodes(
        cls, *, info: Info, node_ids: Iterable[str]
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
    effective_plan: PlanKey = strawberry.field(
        description="The organization's effective plan."
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


@strawberry.input(description="The transcript to delete.")
class DeleteTranscriptInput:
    id: strawberry.ID = strawberry.field(description="Global id of the transcript.")


@strawberry.type(description="The result of deleteTranscript.")
class DeleteTranscriptPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Global id of the deleted transcript."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )


# -- engagement and exports ------------------------------------------------------------


@strawberry.type(description="Visitor chat activity of one UTC day.")
class DailyEngagement:
    day: dt.date = strawberry.field(description="The UTC day.")
    conversations: int = strawberry.field(description="Conversations started that day.")
    questions: int = strawberry.field(description="Questions asked that day.")
    answered: int = strawberry.field(description="Questions the profile answered.")
    unanswered: int = strawberry.field(
        description="Questions the profile had no answer to."
    )


@strawberry.type(description="A question visitors asked, with how often.")
class QuestionCount:
    question: str = strawberry.field(description="The question (normalized).")
    count: int = strawberry.field(description="How many times it was asked.")


@strawberry.type(description="A profile section, with how often answers cited it.")
class SectionCount:
    section: ChatSection = strawberry.field(description="The section.")
    count: int = strawberry.field(description="How many citations it had.")


@strawberry.type(description="Visitor chat engagement per UTC day.")
class Engagement:
    days: list[DailyEngagement] = strawberry.field(
        description="Every day of the range, oldest first."
    )
    conversations: int = strawberry.field(description="Conversations over the range.")
    questions: int = strawberry.field(description="Questions over the range.")
    answered: int = strawberry.field(description="Answered questions over the range.")
    unanswered: int = strawberry.field(
        description="Unanswered questions over the range."
    )
    top_questions: list[QuestionCount] = strawberry.field(
        description="The most asked questions, most first."
    )
    most_cited_sections: list[SectionCount] = strawberry.field(
        description="The most cited sections, most first."
    )

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


@describe_values(
    JSON="A JSON document.",
    CSV="Comma-separated values, one row per line.",
)
@strawberry.enum(description="File format of a chat export.")
class ChatExportFormat(Enum):
    JSON = "JSON"
    CSV = "CSV"


@strawberry.input(description="Which transcripts to export (Pro).")
class ExportTranscriptsInput:
    format: ChatExportFormat = strawberry.field(description="JSON or CSV.")
    from_: dt.date | None = strawberry.field(
        description="First UTC day, inclusive; left out: from the start.",
        default=None,
        name="from",
    )
    to: dt.date | None = strawberry.field(
        default=None, description="Last UTC day, inclusive; left out: today."
    )


@strawberry.input(description="Which days of engagement to export (Starter).")
class ExportInsightsInput:
    format: ChatExportFormat = strawberry.field(description="JSON or CSV.")
    from_: dt.date = strawberry.field(
        description="First UTC day, inclusive.", name="from"
    )
    to: dt.date = strawberry.field(description="Last UTC day, inclusive.")


@strawberry.type(description="The result of a chat export.")
class ChatExportPayload:
    url: str | None = strawberry.field(
        default=None, description="Expiring signed download link."
    )
    expires_at: dt.datetime | None = strawberry.field(
        default=None, description="When the link stops working."
    )
    filename: str | None = strawberry.field(
        default=None, description="The file's name."
    )
    content_type: str | None = strawberry.field(
        default=None, description="The file's media type."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Expected failures; empty on success.", default_factory=list
    )
