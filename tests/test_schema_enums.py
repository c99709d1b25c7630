"""The closed sets the schema types as enums hold every value the services write:
violation kinds (by running the refine passes), resume and indexing stages,
processing error codes, engines and seniority levels (read from the services)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import re
from enum import Enum
from pathlib import Path
from typing import Any

from schema.letters import ViolationKind
from schema.processing import Engine, IndexingStage, ProcessingErrorCode, ResumeStage
from schema.tailoring import SeniorityLevel
from services import embeddings, errors, resumes
from services.documents import errors as document_errors
from services.indexing import runs
from services.tailoring import engines, keywords, pipeline, refine
from tests.helpers import MASTER


def _values(enum: type[Enum]) -> set[str]:
    return {member.value for member in enum}


def _literals(pattern: str, *modules: Any) -> set[str]:
    return {
        match
        for module in modules
        for match in re.findall(pattern, inspect.getsource(module))
    }


def _draft_with_every_invention() -> tuple[dict[str, Any], dict[str, Any]]:
    master = copy.deepcopy(MASTER)
    draft = copy.deepcopy(MASTER)
    draft["personalInfo"]["email"] = "someone@else.example"  # restored
    job = draft["workExperience"][0]
    job["years"] = "2001 - Present"  # date
    job["title"] = "CTO"  # title
    draft["workExperience"].append(
        {"id": 9, "title": "VP", "company": "Hooli", "years": "2020", "description": []}
    )  # employer
    draft["education"].append({"institution": "Hogwarts", "degree": "BSc"})  # school
    draft["personalProjects"].append({"name": "Skynet", "description": []})  # project
    extra = draft["additional"]
    extra["certificationsTraining"].append("CKA")  # certification
    extra["languages"] = [*extra.get("languages", []), "Klingon"]  # language
    extra["awards"] = [*extra.get("awards", []), "Turing Award"]  # award
    extra["technicalSkills"].append("Rust")  # skill
    # number, name and term
    draft["summary"] = "Partnered with Globex to ship Kubernetes, saving 45%."
    return master, draft


def test_every_violation_kind_the_passes_emit_is_a_member() -> None:
    master, draft = _draft_with_every_invention()
    evidence = refine.Evidence(master)
    data, violations = refine.safety_nets(draft, source=master, evidence=evidence)
    violations += refine.align(data, source=master, evidence=evidence)
    emitted = {v.kind for v in violations}
    # the passes emit exactly the enum's values: none unknown, none unreachable
    assert emitted == _values(ViolationKind), emitted ^ _values(ViolationKind)
    # and a kind a future pass writes as a literal is caught here too
    assert _literals(r'Violation\(\s*"(\w+)"', refine) <= _values(ViolationKind)


def test_every_stage_the_services_write_is_a_member() -> None:
    parse = _literals(r'stage="(\w+)"', resumes, pipeline) | {"deleted"}
    tailoring = set(pipeline._STAGES) | {"queued"}
    assert parse | tailoring <= _values(ResumeStage), (parse | tailoring) - _values(
        ResumeStage
    )
    indexing = _literals(r'stage="(\w+)"', runs) | {""}
    assert indexing <= _values(IndexingStage), indexing - _values(IndexingStage)
    assert ResumeStage.parse("unknown") is ResumeStage.RECEIVED


def test_every_failure_code_the_services_store_is_a_member() -> None:
    codes = (
        set(re.findall(r'DocumentError\(\s*"([A-Z_]+)"', _documents_source()))
        | set(resumes.CLIENT_FAULTS)
        | _literals(r'code="([A-Z_]+)"', resumes, pipeline)
        | _literals(r'_fail\(row, attempt, "([A-Z_]+)"', runs)
        | _literals(r'"([A-Z_]+)",\s*\(f"Tailoring', pipeline)
        | {
            engines.LlmUnavailable.code,
            errors.NotFound.code,
            errors.ValidationFailed.code,
            "DELETED",  # the last event of a deleted resume
        }
    )
    assert {"PARSE_FAILED", "EMBEDDING_UNAVAILABLE", "INTERNAL_ERROR"} <= codes
    assert codes <= _values(ProcessingErrorCode), codes - _values(ProcessingErrorCode)
    assert ProcessingErrorCode.parse("") is None
    assert ProcessingErrorCode.parse("NEW") is ProcessingErrorCode.INTERNAL_ERROR


def _documents_source() -> str:
    folder = Path(document_errors.__file__).parent
    return "\n".join(path.read_text() for path in sorted(folder.glob("*.py")))


def _default(cls: Any, name: str) -> Any:
    """A slots dataclass's field default (the class attribute is a descriptor)."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def test_every_engine_and_seniority_level_is_a_member() -> None:
    names = {
        engines.OfflineTailor.name,
        _default(engines.ModelTailor, "name"),
        _default(embeddings.OfflineEmbedder, "engine"),
        _default(embeddings.OpenAIEmbedder, "engine"),
        "ocr",
        "offline (fallback)",
    }
    assert names <= _values(Engine), names - _values(Engine)
    levels = {level for level, _ in keywords._SENIORITY}
    assert levels == _values(SeniorityLevel)
