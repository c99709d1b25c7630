"""JSON Resume (https://jsonresume.org, schema v1.0.0) <-> our profile data.

Pure functions over plain dicts; the only I/O is reading the vendored schema
(`jsonresume.schema.json`, draft-07) once at import.

`ProfileData` is the profile and its sections in our shape (camelCase keys, ISO
partial dates "YYYY", "YYYY-MM" or "YYYY-MM-DD"). JSON Resume fields we have no
column for are kept verbatim in the `extra` dict of the profile or of each row, and
whole top-level sections we do not model (volunteer, awards, publications,
languages, interests, references, meta, `$schema`, ...) in `extraSections`, so
import -> export reproduces the original document and export -> import -> export
is lossless.

- `validate(doc)`: schema errors as "path: message" strings (empty when valid).
- `to_json_resume(data)`: export. Modelled fields override `extra` keys of the same
  name; None and "" modelled values and empty modelled lists are left out.
- `from_json_resume(doc)`: import. Raises `ValueError` (message starts with the
  path, e.g. "work[0].startDate: ...") for dates it cannot read or values of the
  wrong type in modelled fields.
- `normalize_date(value)`: the date reading `from_json_resume` applies.

Our fields with no JSON Resume counterpart are not exported: skill `category` and
`years`, education `description`, certification `expires`, and project URLs after
the first.
"""

from __future__ import annotations

from services.documents.jsonresume_export import to_json_resume
from services.documents.jsonresume_import import from_json_resume
from services.documents.jsonresume_shapes import (
    SCHEMA,
    CertificationData,
    EducationData,
    ExperienceData,
    ProfileData,
    ProfileFields,
    ProjectData,
    SkillData,
    normalize_date,
    validate,
)

__all__ = [
    "SCHEMA",
    "CertificationData",
    "EducationData",
    "ExperienceData",
    "ProfileData",
    "ProfileFields",
    "ProjectData",
    "SkillData",
    "from_json_resume",
    "normalize_date",
    "to_json_resume",
    "validate",
]
