"""A local OpenAI-compatible server for the indexing and chat tests, driven by the
real openai SDK: `POST /v1/embeddings` (deterministic 16-dimension vectors from
the words of each text) and `POST /v1/chat/completions` for `ProfileAnswer`.

`mode` = `good` answers with the first excerpt it was sent; `adversarial` adds
invented facts (an employer, a school, a skill, metrics) around a true sentence;
`down` answers 503 to both endpoints.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from aiohttp import web

from tests.fake_openai import completion

CALLS = web.AppKey("calls", list)
EMBED_DIM = 16
INVENTED = [
    "Ada led 40 engineers at Globex Corporation.",
    "She grew revenue 97% with Kubernetes.",
    "She holds a PhD from Stanford University.",
]


def vector(text: str) -> list[float]:
    out = [0.0] * EMBED_DIM
    for word in re.findall(r"\w+", text.casefold()):
        out[int(hashlib.sha256(word.encode()).hexdigest(), 16) % EMBED_DIM] += 1.0
    return out


def fake_models(mode: str, *, true_sentence: str = "") -> web.Application:
    calls: list[dict[str, Any]] = []

    async def embeddings(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append({"path": "embeddings", **body})
        if mode == "down":
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        return web.json_response(
            {
                "object": "list",
                "model": body["model"],
                "data": [
                    {"object": "embedding", "index": i, "embedding": vector(t)}
                    for i, t in enumerate(texts)
                ],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append({"path": "chat", **body})
        if mode == "down":
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        user = body["messages"][-1]["content"]
        first = re.search(r"\[1\] (.*)", user)
        true = true_sentence or (first.group(1) if first else "")
        if mode == "adversarial":
            answer = " ".join([INVENTED[0], true, *INVENTED[1:]])
        else:
            answer = true
        content = json.dumps({"answer": answer, "sources": [1]})
        return completion(body["model"], content)

    app = web.Application()
    app[CALLS] = calls
    app.router.add_post("/v1/embeddings", embeddings)
    app.router.add_post("/v1/chat/completions", completions)
    return app
