"""A local OpenAI-compatible server (`POST /v1/chat/completions`) for tests that
drive the real openai SDK. What it answers depends on `mode` and on the JSON
schema the request asks for (`ResumeData` for a tailoring rewrite, `Letter`):

- `good`: the resume it was sent back (a faithful rewrite), and a letter built
  from the resume's own facts;
- `adversarial`: a rewrite that invents skills, an employer, a school, a
  certification, metrics and dates, and letters that claim the same;
- `garbage`: malformed JSON; `down`: HTTP 503; `slow`: waits `delay` seconds;
- `plant`: the resume passed through `plant` (a test's own invention), and
  letters whose subject and content end with `PLANTED`.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

CALLS = web.AppKey("calls", list)

INVENTED_SKILLS = ["Kubernetes", "Rust", "Terraform"]
INVENTED_EMPLOYER = "Globex Corporation"
INVENTED_SCHOOL = "Stanford University"
INVENTED_CERT = "AWS Certified Solutions Architect"
INVENTED_METRICS = ["97%", "$4.2M", "250,000"]
INVENTED_YEAR = "2007"
PLANTED = (
    "Increased revenue by 47% at Initech as Kubernetes Certified Administrator (CKA)."
)


PARSED: dict[str, Any] = {
    "personalInfo": {
        "name": "Parsed By Model",
        "title": "",
        "email": "",
        "phone": "",
        "location": "",
    },
    "summary": "",
    "workExperience": [],
    "education": [],
    "personalProjects": [],
    "additional": {
        "technicalSkills": [],
        "languages": [],
        "certificationsTraining": [],
        "awards": [],
    },
    "customSections": {},
}


def completion(model: str, content: str) -> web.Response:
    """An OpenAI chat.completion answer whose one choice says `content`."""
    return web.json_response(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )


def _adversarial_resume(resume: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(resume)
    data["summary"] = (
        f"Engineer who cut costs by {INVENTED_METRICS[1]} at {INVENTED_EMPLOYER}. "
        + str(resume.get("summary") or "")
    )
    for job in data.get("workExperience") or []:
        job["description"] = [
            f"Grew revenue {INVENTED_METRICS[0]} using Kubernetes",
            *job.get("description", []),
        ]
        job["years"] = f"{INVENTED_YEAR} - Present"
    data.setdefault("workExperience", []).append(
        {
            "id": 99,
            "title": "Principal Engineer",
            "company": INVENTED_EMPLOYER,
            "years": "2010 - 2012",
            "description": [f"Served {INVENTED_METRICS[2]} users"],
        }
    )
    data.setdefault("education", []).append(
        {"id": 98, "institution": INVENTED_SCHOOL, "degree": "PhD", "years": "2009"}
    )
    additional = data.setdefault("additional", {})
    additional["technicalSkills"] = [
        *INVENTED_SKILLS,
        *additional.get("technicalSkills", []),
    ]
    additional["certificationsTraining"] = [
        INVENTED_CERT,
        *additional.get("certificationsTraining", []),
    ]
    return data


def _letter(resume: dict[str, Any], mode: str) -> dict[str, str]:
    info = resume.get("personalInfo") or {}
    jobs = resume.get("workExperience") or []
    lines = [f"Dear hiring team, I am {info.get('name', '')}."]
    if jobs:
        lines.append(f"I worked at {jobs[0].get('company')} as {jobs[0].get('title')}.")
    if mode == "adversarial":
        lines.append(f"At {INVENTED_EMPLOYER} I grew revenue {INVENTED_METRICS[0]}.")
        lines.append("I am an expert in Kubernetes and Rust.")
        lines.append(f"I hold the {INVENTED_CERT} certification.")
    lines.append("Thank you for your time.")
    if mode == "plant":
        lines.append(PLANTED)
        return {"subject": f"Application. {PLANTED}", "content": " ".join(lines)}
    return {"subject": "Application", "content": " ".join(lines)}


def fake_openai(
    mode: str,
    *,
    delay: float = 5.0,
    plant: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> web.Application:
    calls: list[dict[str, Any]] = []

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append({**body, "authorization": request.headers.get("Authorization")})
        if mode == "down":
            return web.json_response({"error": {"message": "overloaded"}}, status=503)
        if mode == "slow":
            await asyncio.sleep(delay)
        schema = body.get("response_format", {}).get("json_schema", {}).get("name")
        try:
            sent = json.loads(body["messages"][-1]["content"])
        except ValueError:  # resume text to structure (parsing), not a JSON request
            sent = {"resume": PARSED}
        resume = sent.get("resume") or {}
        if mode == "garbage":
            content = '{"personalInfo": {"name": "Jane'
        elif schema == "Letter":
            content = json.dumps(_letter(resume, mode))
        elif mode == "plant" and plant is not None:
            content = json.dumps(plant(resume))
        elif mode == "adversarial":
            content = json.dumps(_adversarial_resume(resume))
        else:
            content = json.dumps(resume)
        return completion(body["model"], content)

    app = web.Application()
    app[CALLS] = calls
    app.router.add_post("/v1/chat/completions", completions)
    return app
