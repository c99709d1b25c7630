"""Job keywords and resume match through the API: deterministic, no model."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.helpers import RESUME_LINES, gql, sign_up, text_pdf, upload, wait_for

JOB = """
Senior Backend Engineer

Requirements:
- 5+ years building services in Python and Go
- Experience with PostgreSQL and Kubernetes

Nice to have: Rust, Terraform.
"""
MATCH = """
query M($jd: String!, $id: ID) {
  resumeMatch(jobDescription: $jd, resumeId: $id) {
    percentage requiredCoverage preferredCoverage keywordCoverage
    matched missing unsupportable
    keywords { requiredSkills preferredSkills experienceYears seniorityLevel }
  }
}
"""


async def test_job_keywords_keep_tricky_tokens(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(
        client,
        "query K($jd: String!) { jobKeywords(jobDescription: $jd) "
        "{ requiredSkills experienceYears } }",
        {"jd": "Required: C++, C#, .NET and Node.js. 3-5 years of experience."},
        token=token,
    )
    keywords = body["data"]["jobKeywords"]
    assert {"C++", "C#", ".NET", "Node.js"} <= set(keywords["requiredSkills"])
    assert keywords["experienceYears"] == 3


async def test_resume_match_of_the_master(client: TestClient) -> None:
    token = (await sign_up(client))["accessToken"]
    body = await gql(client, MATCH, {"jd": JOB}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "NO_MASTER_RESUME"

    created = await upload(client, token, text_pdf(RESUME_LINES))
    resume_id = created["data"]["uploadResume"]["resume"]["id"]
    assert (await wait_for(client, token, resume_id))["status"] == "READY"
    body = await gql(client, MATCH, {"jd": JOB}, token=token)
    match = body["data"]["resumeMatch"]
    assert {"Python", "Go", "PostgreSQL"} <= set(match["matched"])
    assert "Kubernetes" in match["missing"]
    assert "Kubernetes" in match["unsupportable"]  # the master lacks it too
    assert "Rust" in match["keywords"]["preferredSkills"]
    assert 0 < match["requiredCoverage"] < 100
    assert match["preferredCoverage"] == 0
    assert match["keywords"]["experienceYears"] == 5
    # deterministic: the same answer twice, and for the explicit id
    again = await gql(client, MATCH, {"jd": JOB, "id": resume_id}, token=token)
    assert again["data"]["resumeMatch"] == match

    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    body = await gql(client, MATCH, {"jd": JOB, "id": resume_id}, token=bob)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
