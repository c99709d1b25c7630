"""Engagement insights of the visitor chat per UTC day, and the exports of
transcripts (Pro) and insights (Starter and above) behind signed links."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models.chat import ChatMessage, Conversation
from services import files, profiles
from services.accounts import Actor
from services.chat.transcripts import (
    INSIGHT_EXPORT_FEATURE,
    TRANSCRIPT_FEATURE,
    day_range,
    messages_of,
    require_plan,
)
from services.errors import ValidationFailed

MAX_RANGE_DAYS = 366
EXPORT_KEEP = timedelta(days=1)


# -- insights --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayEngagement:
    day: date
    conversations: int
    questions: int
    answered: int
    unanswered: int


@dataclass(frozen=True, slots=True)
class Engagement:
    days: list[DayEngagement]
    top_questions: list[tuple[str, int]]
    most_cited_sections: list[tuple[str, int]]


def _question_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s+#]", " ", text.casefold()).split())


async def engagement(*, organization_id: int, start: date, end: date) -> Engagement:
    """Per UTC day from `start` to `end`: conversations started, questions,
    answered and unanswered; the most asked questions and the most cited
    sections of the range."""
    if end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"A range covers at most {MAX_RANGE_DAYS} days", field=["from"]
        )
    low, high = day_range(start, end)
    started = await Conversation.filter(
        organization_id=organization_id, created_at__gte=low, created_at__lt=high
    ).values_list("created_at")
    messages = await ChatMessage.filter(
        organization_id=organization_id, created_at__gte=low, created_at__lt=high
    ).values_list("created_at", "answered", "question", "citations")
    conversations: Counter[date] = Counter(d.astimezone(UTC).date() for (d,) in started)
    questions: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    asked: Counter[str] = Counter()
    wording: dict[str, str] = {}
    sections: Counter[str] = Counter()
    for created_at, was_answered, question, citations in messages:
        day = created_at.astimezone(UTC).date()
        questions[day] += 1
        if was_answered:
            answered[day] += 1
        key = _question_key(question)
        asked[key] += 1
        wording.setdefault(key, question)
        for citation in citations or []:
            sections[str(citation.get("section"))] += 1
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return Engagement(
        days=[
            DayEngagement(
                day=d,
                conversations=conversations[d],
                questions=questions[d],
                answered=answered[d],
                unanswered=questions[d] - answered[d],
            )
            for d in days
        ],
        top_questions=[
            (wording[k], n)
            for k, n in sorted(asked.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        most_cited_sections=sorted(sections.items(), key=lambda kv: (-kv[1], kv[0])),
    )


# -- exports ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportLink:
    url: str
    expires_at: datetime
    filename: str
    content_type: str
    content: str


async def _publish_export(
    *,
    actor: Actor,
    signer: files.Signer,
    base_url: str,
    kind: str,
    fmt: str,
    content: str,
) -> ExportLink:
    filename = f"{kind}.{fmt.lower()}"
    content_type = "application/json" if fmt == "JSON" else "text/csv"
    url, expires_at = await files.publish(
        signer=signer,
        base_url=base_url,
        organization_id=actor.organization_id,
        kind=f"export:{kind}",
        filename=filename,
        content_type=content_type,
        data=content.encode(),
        keep_for=EXPORT_KEEP,
    )
    return ExportLink(url, expires_at, filename, content_type, content)


def _check_format(fmt: str) -> None:
    if fmt not in ("JSON", "CSV"):
        raise ValidationFailed(f"Unknown format {fmt!r}", field=["format"])


async def export_transcripts(
    *,
    actor: Actor,
    fmt: str,
    start: date | None,
    end: date | None,
    signer: files.Signer,
    base_url: str,
) -> ExportLink:
    _check_format(fmt)
    await require_plan(actor.organization_id, TRANSCRIPT_FEATURE, "Transcripts")
    low, high = day_range(start, end)
    conversations = list(
        await Conversation.filter(
            organization_id=actor.organization_id,
            created_at__gte=low,
            created_at__lt=high,
        ).order_by("id")
    )
    messages = await messages_of(
        organization_id=actor.organization_id,
        conversation_ids=[c.id for c in conversations],
    )
    if fmt == "JSON":
        document = [
            {
                "id": c.id,
                "visitor": c.visitor_hash,
                "created_at": c.created_at.isoformat(),
                "messages": [
                    {
                        "question": m.question,
                        "answer": m.answer,
                        "answered": m.answered,
                        "citations": m.citations,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in messages[c.id]
                ],
            }
            for c in conversations
        ]
        content = json.dumps(document, ensure_ascii=False, indent=2)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "transcript_id",
                "visitor",
                "asked_at",
                "question",
                "answer",
                "answered",
                "cited_sections",
            ]
        )
        for c in conversations:
            for m in messages[c.id]:
                writer.writerow(
                    [
                        c.id,
                        c.visitor_hash,
                        m.created_at.isoformat(),
                        _csv_safe(m.question),
                        _csv_safe(m.answer),
                        "true" if m.answered else "false",
                        ";".join(str(x.get("section")) for x in m.citations),
                    ]
                )
        content = out.getvalue()
    return await _publish_export(
        actor=actor,
        signer=signer,
        base_url=base_url,
        kind="transcripts",
        fmt=fmt,
        content=content,
    )


def _csv_safe(value: str) -> str:
    """Visitors write these: a leading =, +, - or @ would run as a spreadsheet
    formula, so such a cell starts with an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


async def export_insights(
    *,
    actor: Actor,
    fmt: str,
    start: date,
    end: date,
    signer: files.Signer,
    base_url: str,
) -> ExportLink:
    _check_format(fmt)
    await require_plan(actor.organization_id, INSIGHT_EXPORT_FEATURE, "Insight exports")
    data = await engagement(organization_id=actor.organization_id, start=start, end=end)
    views = await profiles.insights(
        organization_id=actor.organization_id, start=start, end=end
    )
    view_of = dict(views)
    if fmt == "JSON":
        document = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": [
                {
                    "day": d.day.isoformat(),
                    "views": view_of.get(d.day, 0),
                    "conversations": d.conversations,
                    "questions": d.questions,
                    "answered": d.answered,
                    "unanswered": d.unanswered,
                }
                for d in data.days
            ],
            "top_questions": [
                {"question": q, "count": n} for q, n in data.top_questions
            ],
            "most_cited_sections": [
                {"section": s, "count": n} for s, n in data.most_cited_sections
            ],
        }
        content = json.dumps(document, ensure_ascii=False, indent=2)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["day", "views", "conversations", "questions", "answered", "unanswered"]
        )
        for d in data.days:
            writer.writerow(
                [
                    d.day.isoformat(),
                    view_of.get(d.day, 0),
                    d.conversations,
                    d.questions,
                    d.answered,
                    d.unanswered,
                ]
            )
        content = out.getvalue()
    return await _publish_export(
        actor=actor,
        signer=signer,
        base_url=base_url,
        kind="insights",
        fmt=fmt,
        content=content,
    )
