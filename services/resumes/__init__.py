"""Resumes: upload (one credit, charged once), background parsing with live
progress, the master resume, listing and editing, and flat display rows.

- `intake`: accepting a file, storing and charging it, retrying a failed parse;
- `parsing`: the parse job (a job kind on the run lifecycle of `services.runs`);
- `lifecycle`: that lifecycle on resume rows (stages, events, failures with
  refunds, the sweep), shared with tailoring runs;
- `master`: the master role, "this id or the master", "must be READY";
- `library`: listing, editing, deleting, display rows.

The names below are the package's API; callers import them from here.
"""

from __future__ import annotations

from services.resumes.intake import (
    UPLOAD_COST,
    DuplicateUpload,
    PayloadTooLarge,
    UnsupportedMediaType,
    UploadedFile,
    accept_file,
    get_resume,
    refund,
    retry_parse,
    upload_resume,
)
from services.resumes.library import (
    ORDER_FIELDS,
    Position,
    ResumeFilter,
    ResumeOrder,
    ResumeRow,
    count_resumes,
    delete_resume,
    display_row,
    get_resumes,
    list_resumes,
    merge_patch,
    position,
    set_master,
    update_resume,
    years_of_experience,
)
from services.resumes.lifecycle import (
    channel,
    check_backpressure,
    claim_stuck,
    event,
    pending_jobs,
    set_stage,
    stuck_kinds,
)
from services.resumes.master import (
    NoMasterResume,
    lock_organization,
    require_ready,
    source_resume,
)
from services.resumes.parsing import CLIENT_FAULTS, Engine, ParseDeps, parse
from services.runs import (
    MAX_ATTEMPTS,
    TERMINAL,
    WAITING_STAGES,
    QueueLimits,
    Superseded,
)

__all__ = [
    "CLIENT_FAULTS",
    "MAX_ATTEMPTS",
    "ORDER_FIELDS",
    "TERMINAL",
    "UPLOAD_COST",
    "WAITING_STAGES",
    "DuplicateUpload",
    "Engine",
    "NoMasterResume",
    "ParseDeps",
    "PayloadTooLarge",
    "Position",
    "QueueLimits",
    "ResumeFilter",
    "ResumeOrder",
    "ResumeRow",
    "Superseded",
    "UnsupportedMediaType",
    "UploadedFile",
    "accept_file",
    "channel",
    "check_backpressure",
    "claim_stuck",
    "count_resumes",
    "delete_resume",
    "display_row",
    "event",
    "get_resume",
    "get_resumes",
    "list_resumes",
    "lock_organization",
    "merge_patch",
    "parse",
    "pending_jobs",
    "position",
    "refund",
    "require_ready",
    "retry_parse",
    "set_master",
    "set_stage",
    "source_resume",
    "stuck_kinds",
    "update_resume",
    "upload_resume",
    "years_of_experience",
]
