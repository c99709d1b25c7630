"""The flat rows of an organization's resumes as a CSV file behind an expiring
signed link (exportResumeRows): which columns, how each value is written, and
how many rows one export holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services import files, resumes
from services.files import Signer

ROW_COLUMNS = (
    "resume_id",
    "title",
    "status",
    "name",
    "email",
    "job_title",
    "current_company",
    "skills",
    "years_of_experience",
    "tags",
    "is_master",
    "updated_at",
)
MAX_EXPORT_ROWS = 10_000
KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RowsExport:
    url: str
    expires_at: datetime
    rows: int


def rows_csv(
    rows: Iterable[resumes.ResumeRow], *, resume_ref: Callable[[int], str]
) -> str:
    """One header line, then a line per row (CRLF, as RFC 4180 has it); lists are
    joined with " | ", booleans are yes/no; `resume_ref` writes the id the API
    shows for a resume."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ROW_COLUMNS)
    for d in rows:
        writer.writerow(
            [
                resume_ref(d.resume_id),
                d.title,
                d.status,
                d.name,
                d.email,
                d.job_title,
                d.current_company,
                " | ".join(d.skills),
                "" if d.years_of_experience is None else f"{d.years_of_experience:g}",
                " | ".join(d.tags),
                "yes" if d.is_master else "no",
                d.updated_at.isoformat(),
            ]
        )
    return out.getvalue()


async def export_rows(
    *,
    organization_id: int,
    filter: resumes.ResumeFilter,
    signer: Signer,
    base_url: str,
    resume_ref: Callable[[int], str],
) -> RowsExport:
    """Up to MAX_EXPORT_ROWS rows of the filtered resumes as `resumes.csv`."""
    found = await resumes.list_resumes(
        organization_id=organization_id, filter=filter, first=MAX_EXPORT_ROWS
    )
    found = found[:MAX_EXPORT_ROWS]
    content = rows_csv(
        (resumes.display_row(row) for row in found), resume_ref=resume_ref
    )
    url, expires_at = await files.publish(
        signer=signer,
        base_url=base_url,
        organization_id=organization_id,
        kind="export:resume_rows",
        filename="resumes.csv",
        content_type="text/csv; charset=utf-8",
        data=content.encode(),
        keep_for=KEEP_FOR,
    )
    return RowsExport(url=url, expires_at=expires_at, rows=len(found))
