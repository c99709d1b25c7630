"""Structuring resume text with an OpenAI-compatible model and a JSON schema.

The model's answer is parsed and validated by the caller; this module only asks,
with a timeout and bounded retries (the SDK's own backoff)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openai import AsyncOpenAI

from services.documents.resumedata import RESUME_DATA_SCHEMA

SYSTEM_PROMPT = (
    "You turn resume text into JSON matching the given schema. Copy facts exactly "
    "as written; never add a skill, employer, school, date or number that is not "
    "in the text. Use empty strings and lists for what is missing."
)
MAX_TEXT_CHARS = 60_000


class ModelUnavailable(Exception):
    """The model could not be reached, timed out, or answered with no JSON."""


@dataclass(slots=True)
class OpenAIEngine:
    base_url: str
    api_key: str
    model: str
    timeout: float = 60.0
    max_retries: int = 2
    name: str = "openai"

    def _client(self) -> AsyncOpenAI:
        return AsyncOpenAI(
            api_key=self.api_key or "unset",
            base_url=self.base_url or None,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    async def complete_json(
        self, *, system: str, user: str, schema_name: str, schema: dict[str, Any]
    ) -> Any:
        client = self._client()
        try:
            response = await client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema},
                },
            )
        except Exception as exc:  # connection, timeout, HTTP status: all "down"
            raise ModelUnavailable(f"model request failed: {exc}") from exc
        finally:
            await client.close()
        content = response.choices[0].message.content if response.choices else None
        if not content:
            raise ModelUnavailable("the model returned no content")
        try:
            return json.loads(content)
        except ValueError as exc:
            raise ModelUnavailable("the model returned malformed JSON") from exc

    async def structure_resume(self, *, text: str) -> dict[str, Any]:
        result = await self.complete_json(
            system=SYSTEM_PROMPT,
            user=text[:MAX_TEXT_CHARS],
            schema_name="ResumeData",
            schema=RESUME_DATA_SCHEMA,
        )
        if not isinstance(result, dict):
            raise ModelUnavailable("the model's JSON is not an object")
        return result
