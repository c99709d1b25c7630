"""Enums of background processing, shared by resumes (parsing and tailoring) and
profile indexing: stages, failure codes and the engines that did the work.

The values are the strings the services store; `tests/test_schema_enums.py` checks
that every value the services can write is a member."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.base import enum_or
from schema.docs import describe_values

MAY_GAIN = " May gain values: do not switch on it exhaustively."


@describe_values(
    RECEIVED="Accepted, waiting for a worker.",
    QUEUED="Tailoring only: waiting for one of the organization's run slots.",
    EXTRACTING="Parsing: reading the text (text layer, DOCX, JSON or OCR).",
    STRUCTURING="Parsing: turning the text into ResumeData.",
    SAVING="Parsing: storing the result.",
    KEYWORDS="Tailoring: extracting the job description's terms.",
    PLAN="Tailoring: planning the changes.",
    REWRITE="Tailoring: rewriting the draft.",
    SAFETY_NETS="Tailoring: restoring what a draft may not change.",
    PASS_1="Tailoring: injecting supported job terms.",
    PASS_2="Tailoring: replacing stock phrases.",
    PASS_3="Tailoring: removing facts the resumes do not back.",
    LETTERS="Tailoring: writing the cover letter and outreach message.",
    RENDER="Tailoring: rendering the PDF (generatePdf).",
    DONE="Finished: the resume is READY.",
    FAILED="Stopped: the resume is FAILED, `errorCode` says why.",
    DELETED="The resume was deleted (events only).",
)
@strawberry.enum(description="A step of a resume's parsing or tailoring." + MAY_GAIN)
class ResumeStage(Enum):
    RECEIVED = "received"
    QUEUED = "queued"
    EXTRACTING = "extracting"
    STRUCTURING = "structuring"
    SAVING = "saving"
    KEYWORDS = "keywords"
    PLAN = "plan"
    REWRITE = "rewrite"
    SAFETY_NETS = "safety_nets"
    PASS_1 = "pass_1"
    PASS_2 = "pass_2"
    PASS_3 = "pass_3"
    LETTERS = "letters"
    RENDER = "render"
    DONE = "done"
    FAILED = "failed"
    DELETED = "deleted"

    @classmethod
    def parse(cls, raw: str) -> ResumeStage:
        return enum_or(cls, raw, cls.RECEIVED)


@describe_values(
    IDLE="Never indexed.",
    QUEUED="Waiting for a worker.",
    CHUNKING="Splitting the profile, its sections and the master resume.",
    EMBEDDING="Computing the chunks' vectors.",
    SAVING="Storing the vectors.",
    DONE="Finished: the index is READY.",
    FAILED="Stopped: `errorCode` says why.",
    CLEARED="The index was emptied (nothing to index).",
)
@strawberry.enum(description="A step of a profile's indexing." + MAY_GAIN)
class IndexingStage(Enum):
    IDLE = ""
    QUEUED = "queued"
    CHUNKING = "chunking"
    EMBEDDING = "embedding"
    SAVING = "saving"
    DONE = "done"
    FAILED = "failed"
    CLEARED = "cleared"

    @classmethod
    def parse(cls, raw: str) -> IndexingStage:
        return enum_or(cls, raw, cls.IDLE)


@describe_values(
    UNSUPPORTED_MEDIA_TYPE="The file is not a PDF, DOCX, JSON, PNG or JPEG.",
    EMPTY_FILE="The file is empty.",
    ENCRYPTED_PDF="The PDF is password-protected.",
    CORRUPT_FILE="The file cannot be read (broken, encrypted DOCX, bad XML).",
    TOO_MANY_PAGES="The PDF has more pages than allowed.",
    ARCHIVE_TOO_LARGE="The DOCX unpacks to more than allowed.",
    INVALID_JSON="The JSON is not valid ResumeData or JSON Resume.",
    JSON_TOO_DEEP="The JSON nests deeper than allowed.",
    NO_TEXT="No text was found, even by OCR.",
    IMAGE_TOO_LARGE="The image has more pixels than OCR accepts.",
    OCR_UNAVAILABLE="The file needs OCR and OCR is not installed.",
    PARSE_FAILED="Parsing failed (after its retries).",
    TIMEOUT="The work took longer than allowed.",
    LLM_UNAVAILABLE="The organization's model could not be reached or answered badly.",
    NOT_FOUND="Something the run needed is gone (e.g. the master resume).",
    VALIDATION_ERROR="The run's input was refused (e.g. the job description).",
    INTERNAL_ERROR="An unexpected failure; retrying may help.",
    DELETED="The resume was deleted (events only).",
    EMBEDDING_UNAVAILABLE="Indexing: the embedding model could not be reached.",
    INDEXING_FAILED="Indexing failed unexpectedly.",
)
@strawberry.enum(
    description="Why a resume's parsing or tailoring, or a profile's indexing, "
    "failed." + MAY_GAIN
)
class ProcessingErrorCode(Enum):
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    EMPTY_FILE = "EMPTY_FILE"
    ENCRYPTED_PDF = "ENCRYPTED_PDF"
    CORRUPT_FILE = "CORRUPT_FILE"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"
    ARCHIVE_TOO_LARGE = "ARCHIVE_TOO_LARGE"
    INVALID_JSON = "INVALID_JSON"
    JSON_TOO_DEEP = "JSON_TOO_DEEP"
    NO_TEXT = "NO_TEXT"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    OCR_UNAVAILABLE = "OCR_UNAVAILABLE"
    PARSE_FAILED = "PARSE_FAILED"
    TIMEOUT = "TIMEOUT"
    LLM_UNAVAILABLE = "LLM_UNAVAILABLE"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    DELETED = "DELETED"
    EMBEDDING_UNAVAILABLE = "EMBEDDING_UNAVAILABLE"
    INDEXING_FAILED = "INDEXING_FAILED"

    @classmethod
    def parse(cls, raw: str | None) -> ProcessingErrorCode | None:
        return None if not raw else enum_or(cls, raw, cls.INTERNAL_ERROR)


@describe_values(
    OFFLINE="The deterministic offline engine (rules, no network).",
    OFFLINE_FALLBACK="The offline engine, because the organization's model "
    "failed (see `warnings`).",
    OCR="The offline engine over text read by OCR.",
    OPENAI="An OpenAI-compatible model (the organization's or the instance's).",
)
@strawberry.enum(
    description="What did the work (structuring, tailoring, letters, "
    "embeddings)." + MAY_GAIN
)
class Engine(Enum):
    OFFLINE = "offline"
    OFFLINE_FALLBACK = "offline (fallback)"
    OCR = "ocr"
    OPENAI = "openai"

    @classmethod
    def parse(cls, raw: str | None) -> Engine | None:
        return None if not raw else enum_or(cls, raw, cls.OFFLINE)


@describe_values(
    PROCESSING="Being parsed or tailored: follow it with resumeEvents.",
    READY="Parsed (or tailored): the content is there.",
    FAILED="Processing failed; errorCode says why.",
)
@strawberry.enum(description="Where a resume is in its processing.")
class ResumeStatus(Enum):
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"
