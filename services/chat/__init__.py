"""Visitor chat (a package: `answers` answers a visitor from the public profile,
`transcripts` keeps the conversations, `engagement` counts them per day and
exports transcripts and insights)."""

from __future__ import annotations

from services.chat.answers import (
    MAX_QUESTION_CHARS,
    Answer,
    ChatDeps,
    Citation,
    answer_question,
    ask,
    clean_question,
    extractive,
    prune,
    stream,
    user_agent_family,
    visitor_hash,
)
from services.chat.engagement import (
    DayEngagement,
    Engagement,
    ExportLink,
    engagement,
    export_insights,
    export_transcripts,
)
from services.chat.transcripts import (
    INSIGHT_EXPORT_FEATURE,
    TRANSCRIPT_FEATURE,
    count_transcripts,
    delete_transcript,
    get_transcript,
    get_transcripts,
    list_transcripts,
    messages_of,
    plan_of,
    require_plan,
)

__all__ = [
    "INSIGHT_EXPORT_FEATURE",
    "MAX_QUESTION_CHARS",
    "TRANSCRIPT_FEATURE",
    "Answer",
    "ChatDeps",
    "Citation",
    "DayEngagement",
    "Engagement",
    "ExportLink",
    "answer_question",
    "ask",
    "clean_question",
    "count_transcripts",
    "delete_transcript",
    "engagement",
    "export_insights",
    "export_transcripts",
    "extractive",
    "get_transcript",
    "get_transcripts",
    "list_transcripts",
    "messages_of",
    "plan_of",
    "prune",
    "require_plan",
    "stream",
    "user_agent_family",
    "visitor_hash",
]
