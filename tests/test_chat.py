"""Visitor chat end to end: anonymous cited answers from the public profile only,
bounds and the per-IP limit, an adversarial model whose inventions never reach an
answer, the streamed answer, transcripts (Pro), engagement insights and exports."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from models.chat import ChatMessage, Conversation
from settings import Settings
from tests.fake_models import CALLS, INVENTED, fake_models
from tests.helpers import connect, count_queries, gql, receive, set_plan, sign_up
from tests.indexing_helpers import fill_profile, wait_ready
from tests.support.chat import ASK, ask, chat_server, use_model

TRANSCRIPTS = """
query T($first: Int, $after: String) {
 viewer { transcripts(first: $first, after: $after) {
  available effectivePlan
  pageInfo { hasNextPage endCursor }
  nodes { id visitorHash questionCount
          messages { question answer answered citations { section } } }
} } }
"""
ENGAGEMENT = """
query I($from: Date!, $to: Date!) { viewer { insights(from: $from, to: $to) {
  totalViews
  engagement {
    conversations questions answered unanswered
    days { day conversations questions answered unanswered }
    topQuestions { question count }
    mostCitedSections { section count }
  }
} } }
"""


@pytest.fixture
async def chat_client(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await chat_server(aiohttp_client, settings)


async def ready_profile(client: TestClient) -> tuple[str, dict[str, str]]:
    token = (await sign_up(client))["accessToken"]
    ids = await fill_profile(client, token)
    assert (await wait_ready(client, token))["state"] == "READY"
    return token, ids


async def test_an_anonymous_visitor_gets_cited_answers(chat_client: TestClient) -> None:
    _, ids = await ready_profile(chat_client)
    answer = await ask(chat_client, "Where did she study?")
    assert answer["userErrors"] == []
    assert answer["answered"] is True
    assert answer["citations"][0] == {
        "section": "EDUCATION",
        "entryId": ids["education"],
        "snippet": "BSc in Mathematics at University of Leeds (2012 to 2015).",
    }
    assert answer["answer"].startswith(
        "BSc in Mathematics at University of Leeds (2012 to 2015)."
    )
    assert len(answer["conversationId"]) == 24  # token_urlsafe(18)

    answer = await ask(chat_client, "Which company does Ada work for?")
    assert answer["citations"][0]["section"] == "EXPERIENCE"
    assert answer["citations"][0]["entryId"] == ids["experience"]
    assert "Acme Payments" in answer["answer"]

    answer = await ask(chat_client, "Does she know PostgreSQL?")
    assert answer["citations"][0] == {
        "section": "SKILLS",
        "entryId": answer["citations"][0]["entryId"],
        "snippet": "Skills (Databases): PostgreSQL.",
    }


async def test_nothing_found_is_said_plainly(chat_client: TestClient) -> None:
    await ready_profile(chat_client)
    answer = await ask(chat_client, "What is her favourite ice cream flavour?")
    assert answer == {
        "answer": "I could not find that in Ada Lovelace's profile.",
        "answered": False,
        "citations": [],
        "conversationId": answer["conversationId"],
        "userErrors": [],
    }


async def test_hidden_sections_and_private_fields_never_reach_an_answer(
    chat_client: TestClient,
) -> None:
    token, _ = await ready_profile(chat_client)
    answer = await ask(chat_client, "What is her email address?")
    assert "ada@example.com" not in json.dumps(answer)
    body = await gql(
        chat_client,
        "mutation { updateLayout(input: {hiddenSections: [EDUCATION]}) "
        "{ userErrors { code } } }",
        token=token,
    )
    assert body["data"]["updateLayout"]["userErrors"] == []
    for question in (
        "Where did she study?",
        "University of Leeds",
        "BSc Mathematics degree education",
    ):
        answer = await ask(chat_client, question)
        assert "Leeds" not in json.dumps(answer), answer
        assert "EDUCATION" not in [c["section"] for c in answer["citations"]]
    # shown by the owner: then the email may be answered
    await gql(
        chat_client,
        "mutation { updateProfile(input: {showEmail: true}) { userErrors { code } } }",
        token=token,
    )
    answer = await ask(chat_client, "What is her email address?")
    assert answer["citations"][0] == {
        "section": "CONTACT",
        "entryId": None,
        "snippet": "Email: ada@example.com",
    }


async def test_bad_questions_get_clear_errors_and_store_nothing(
    chat_client: TestClient,
) -> None:
    await ready_profile(chat_client)
    answer = await ask(chat_client, "x" * 501)
    assert answer["userErrors"] == [
        {
            "field": ["input", "question"],
            "message": "A question is at most 500 characters",
            "code": "VALIDATION_ERROR",
        }
    ]
    assert answer["answer"] is None
    answer = await ask(chat_client, "   ")
    assert answer["userErrors"][0]["code"] == "VALIDATION_ERROR"
    answer = await ask(chat_client, "Where did she study?", username="nobody")
    assert answer["userErrors"] == [
        {
            "field": ["input", "username"],
            "message": "No public profile with that username",
            "code": "NOT_FOUND",
        }
    ]
    assert await ChatMessage.all().count() == 0
    assert await Conversation.all().count() == 0


async def test_questions_are_limited_per_ip(chat_client: TestClient) -> None:
    await ready_profile(chat_client)
    for _ in range(5):
        assert (await ask(chat_client, "Where did she study?"))["answered"] is True
    body = await gql(
        chat_client,
        ASK,
        {"input": {"username": "ada", "question": "Where did she study?"}},
    )
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    # the rest of the minute window, plus the share of it the hits still hold
    assert 1 <= error["extensions"]["retryAfter"] <= 60 + 60 // 5
    assert await ChatMessage.all().count() == 5


@pytest.fixture
async def adversarial() -> Any:
    """A model that wraps what it is given in invented facts."""
    fake = TestServer(fake_models("adversarial"))
    await fake.start_server()
    yield fake
    await fake.close()


async def test_an_adversarial_models_inventions_never_reach_an_answer(
    chat_client: TestClient, adversarial: TestServer
) -> None:
    model_server = adversarial
    token, _ = await ready_profile(chat_client)
    await use_model(chat_client, token, model_server)
    assert (await wait_ready(chat_client, token))["engine"] == "OPENAI"
    answer = await ask(chat_client, "Where did she study?")
    # the model wrapped the true excerpt in invented facts: only the excerpt is left
    assert answer["answer"] == (
        "BSc in Mathematics at University of Leeds (2012 to 2015)."
    )
    text = json.dumps(answer)
    for invented in ("Globex", "97%", "Kubernetes", "Stanford", "PhD", "40"):
        assert invented not in text
    asked = [c for c in model_server.app[CALLS] if c["path"] == "chat"]
    assert len(asked) == 1
    prompt = asked[0]["messages"][-1]["content"]
    assert "ada@example.com" not in prompt  # private fields never reach the model
    message = await ChatMessage.get()
    assert (message.engine, message.removed) == ("openai", len(INVENTED))


async def test_the_answer_streams_in_pieces(chat_client: TestClient) -> None:
    await ready_profile(chat_client)
    ws = await connect(chat_client, {})
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription S($input: AskProfileInput!) { profileAnswer("
                "input: $input) { delta done answer citations { section } "
                "conversationId userErrors { code } } }",
                "variables": {
                    "input": {"username": "ada", "question": "Which company?"}
                },
            },
        }
    )
    pieces = []
    final = None
    while True:
        message = await receive(ws, timeout=10)
        if message["type"] == "complete":
            break
        event = message["payload"]["data"]["profileAnswer"]
        if event["done"]:
            final = event
        else:
            pieces.append(event["delta"])
    await ws.close()
    assert final is not None
    assert len(pieces) > 1
    assert "".join(pieces) == final["answer"]
    assert final["citations"][0] == {"section": "EXPERIENCE"}
    assert final["userErrors"] == []
    assert await ChatMessage.all().count() == 1


async def test_transcripts_need_pro_and_hold_the_conversation(
    chat_client: TestClient,
) -> None:
    token, _ = await ready_profile(chat_client)
    first = await ask(chat_client, "Where did she study?")
    await ask(chat_client, "What is her favourite colour?", first["conversationId"])
    other = await ask(chat_client, "Which company?")
    assert other["conversationId"] != first["conversationId"]
    # another visitor presenting that conversation id starts their own
    body = await gql(
        chat_client,
        ASK,
        {
            "input": {
                "username": "ada",
                "question": "Where did she study?",
                "conversationId": first["conversationId"],
            }
        },
        headers={"User-Agent": "curl/8.5.0"},
    )
    stranger = body["data"]["askProfile"]["conversationId"]
    assert stranger not in (first["conversationId"], other["conversationId"])
    await Conversation.filter(token=stranger).delete()

    body = await gql(chat_client, TRANSCRIPTS, token=token)
    listing = body["data"]["viewer"]["transcripts"]
    assert listing == {
        "available": False,
        "effectivePlan": "FREE",
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "nodes": [],
    }
    body = await gql(
        chat_client,
        "mutation { exportTranscripts(input: {format: JSON}) "
        "{ url userErrors { code } } }",
        token=token,
    )
    assert body["data"]["exportTranscripts"] == {
        "url": None,
        "userErrors": [{"code": "PLAN_REQUIRED"}],
    }

    await set_plan("pro")
    body = await gql(chat_client, TRANSCRIPTS, {"first": 1}, token=token)
    listing = body["data"]["viewer"]["transcripts"]
    assert listing["available"] is True
    assert listing["pageInfo"]["hasNextPage"] is True
    newest = listing["nodes"][0]
    assert newest["questionCount"] == 1
    assert newest["messages"][0]["question"] == "Which company?"
    assert re.fullmatch(r"[0-9a-f]{64}", newest["visitorHash"])
    body = await gql(
        chat_client,
        TRANSCRIPTS,
        {"first": 10, "after": listing["pageInfo"]["endCursor"]},
        token=token,
    )
    older = body["data"]["viewer"]["transcripts"]["nodes"]
    assert [n["questionCount"] for n in older] == [2]
    assert [m["question"] for m in older[0]["messages"]] == [
        "Where did she study?",
        "What is her favourite colour?",
    ]
    assert [m["answered"] for m in older[0]["messages"]] == [True, False]
    assert older[0]["messages"][0]["citations"][0] == {"section": "EDUCATION"}
    # the same visitor (IP and browser family) hashes alike; nothing else is kept
    assert older[0]["visitorHash"] == newest["visitorHash"]
    body = await gql(
        chat_client,
        '{ viewer { transcripts(from: "2020-01-01", to: "2020-12-31") '
        "{ nodes { id } } } }",
        token=token,
    )
    assert body["data"]["viewer"]["transcripts"]["nodes"] == []
    stored = await Conversation.all().values_list("visitor_hash", flat=True)
    assert "127.0.0.1" not in json.dumps(list(stored))

    detail = await gql(
        chat_client,
        "query Q($id: ID!) { viewer { transcript(id: $id) { questionCount } } "
        "node(id: $id) { ... on Transcript { questionCount } } }",
        {"id": older[0]["id"]},
        token=token,
    )
    assert detail["data"] == {
        "viewer": {"transcript": {"questionCount": 2}},
        "node": {"questionCount": 2},
    }
    deleted = await gql(
        chat_client,
        "mutation D($id: ID!) { deleteTranscript(input: {id: $id}) "
        "{ deletedId userErrors { code } } }",
        {"id": older[0]["id"]},
        token=token,
    )
    assert deleted["data"]["deleteTranscript"] == {
        "deletedId": older[0]["id"],
        "userErrors": [],
    }
    assert await Conversation.all().count() == 1
    assert await ChatMessage.all().count() == 1  # its messages went with it


async def test_another_organization_sees_no_transcript(chat_client: TestClient) -> None:
    await ready_profile(chat_client)
    await ask(chat_client, "Where did she study?")
    bob = (await sign_up(chat_client, "bob@example.com", "Bob"))["accessToken"]
    await set_plan("pro", "bob@example.com")
    await set_plan("pro")
    transcript_id = (await Conversation.get()).id
    from strawberry import relay

    gid = relay.to_base64("Transcript", transcript_id)
    body = await gql(
        chat_client,
        "query Q($id: ID!) { viewer { transcript(id: $id) { id } } "
        "node(id: $id) { id } }",
        {"id": gid},
        token=bob,
    )
    assert body["data"] == {"viewer": {"transcript": None}, "node": None}
    body = await gql(
        chat_client,
        "mutation D($id: ID!) { deleteTranscript(input: {id: $id}) "
        "{ userErrors { code } } }",
        {"id": gid},
        token=bob,
    )
    assert body["data"]["deleteTranscript"]["userErrors"] == [{"code": "NOT_FOUND"}]
    assert await Conversation.all().count() == 1


async def test_engagement_per_utc_day(chat_client: TestClient) -> None:
    token, _ = await ready_profile(chat_client)
    first = await ask(chat_client, "Where did she study?")
    await ask(chat_client, "where did she study", first["conversationId"])
    await ask(chat_client, "What is her favourite ice cream?")
    counted = await gql(
        chat_client,
        'mutation { recordProfileView(input: {username: "ada"}) { counted } }',
    )
    assert counted["data"]["recordProfileView"] == {"counted": True}
    today = datetime.now(UTC).date().isoformat()
    body = await gql(chat_client, ENGAGEMENT, {"from": today, "to": today}, token=token)
    insights = body["data"]["viewer"]["insights"]
    assert insights == {
        "totalViews": 1,
        "engagement": {
            "conversations": 2,
            "questions": 3,
            "answered": 2,
            "unanswered": 1,
            "days": [
                {
                    "day": today,
                    "conversations": 2,
                    "questions": 3,
                    "answered": 2,
                    "unanswered": 1,
                }
            ],
            "topQuestions": [
                {"question": "Where did she study?", "count": 2},
                {"question": "What is her favourite ice cream?", "count": 1},
            ],
            "mostCitedSections": insights["engagement"]["mostCitedSections"],
        },
    }
    cited = {
        s["section"]: s["count"] for s in insights["engagement"]["mostCitedSections"]
    }
    assert cited["EDUCATION"] == 2


async def test_exports_go_through_signed_links(chat_client: TestClient) -> None:
    token, _ = await ready_profile(chat_client)
    await ask(chat_client, '=HYPERLINK("http://evil") Where did she study?')
    today = datetime.now(UTC).date().isoformat()
    export_insights = (
        "mutation E($input: ExportInsightsInput!) { exportInsights(input: $input) "
        "{ url filename contentType userErrors { code } } }"
    )
    variables = {"input": {"format": "CSV", "from": today, "to": today}}
    body = await gql(chat_client, export_insights, variables, token=token)
    assert body["data"]["exportInsights"]["userErrors"] == [{"code": "PLAN_REQUIRED"}]

    await set_plan("starter")
    body = await gql(chat_client, export_insights, variables, token=token)
    payload = body["data"]["exportInsights"]
    assert (payload["filename"], payload["contentType"]) == ("insights.csv", "text/csv")
    assert payload["url"].startswith("/files/")  # relative without PUBLIC_URL
    response = await chat_client.get(payload["url"])
    assert response.status == 200
    assert (await response.text()).splitlines() == [
        "day,views,conversations,questions,answered,unanswered",
        f"{today},0,1,1,1,0",
    ]

    await set_plan("pro")
    body = await gql(
        chat_client,
        "mutation { exportTranscripts(input: {format: CSV}) "
        "{ url filename userErrors { code } } }",
        token=token,
    )
    payload = body["data"]["exportTranscripts"]
    assert payload["userErrors"] == []
    assert payload["url"].startswith("/files/")  # relative without PUBLIC_URL
    response = await chat_client.get(payload["url"])
    lines = (await response.text()).splitlines()
    assert lines[0] == (
        "transcript_id,visitor,asked_at,question,answer,answered,cited_sections"
    )
    assert "'=HYPERLINK" in lines[1]  # a formula is defused
    assert lines[1].endswith(",true,education")

    body = await gql(
        chat_client,
        "mutation E($input: ExportTranscriptsInput!) { exportTranscripts(input: "
        "$input) { url filename userErrors { code } } }",
        {"input": {"format": "JSON", "from": today, "to": today}},
        token=token,
    )
    payload = body["data"]["exportTranscripts"]
    assert payload["filename"] == "transcripts.json"
    assert payload["url"].startswith("/files/")  # relative without PUBLIC_URL
    response = await chat_client.get(payload["url"])
    document = json.loads(await response.text())
    assert len(document) == 1
    assert [m["question"] for m in document[0]["messages"]] == [
        '=HYPERLINK("http://evil") Where did she study?'
    ]
    assert document[0]["messages"][0]["citations"][0]["section"] == "education"
    body = await gql(
        chat_client,
        "mutation E($input: ExportTranscriptsInput!) { exportTranscripts(input: "
        "$input) { url userErrors { field code } } }",
        {"input": {"format": "JSON", "from": today, "to": "2020-01-01"}},
        token=token,
    )
    assert body["data"]["exportTranscripts"] == {
        "url": None,
        "userErrors": [{"field": ["input", "to"], "code": "VALIDATION_ERROR"}],
    }


async def test_transcript_listing_costs_constant_queries(
    chat_client: TestClient,
) -> None:
    token, _ = await ready_profile(chat_client)
    await set_plan("pro")

    async def measure() -> int:
        with count_queries() as seen:
            body = await gql(chat_client, TRANSCRIPTS, {"first": 50}, token=token)
        assert "errors" not in body
        return len(seen)

    await ask(chat_client, "Where did she study?")
    one = await measure()
    for _ in range(3):
        await ask(chat_client, "Which company?")
    four = await measure()
    assert one == four
