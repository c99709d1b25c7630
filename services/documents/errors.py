"""The one exception of document intake: `DocumentError(code, message)`.

Every stage of `services.documents` (sniffing, PDF, DOCX, JSON, OCR, the sandbox)
raises it for a file it refuses; the resume service stores `code` on the resume
and refunds the upload's credit unless the fault is the file's own.
"""

from __future__ import annotations

__all__ = ["DocumentError"]


class DocumentError(Exception):
    """An upload we refuse, with a stable `code` and a human `message`.

    Codes: UNSUPPORTED_MEDIA_TYPE, EMPTY_FILE, ENCRYPTED_PDF, CORRUPT_FILE,
    TOO_MANY_PAGES, ARCHIVE_TOO_LARGE, INVALID_JSON, JSON_TOO_DEEP, NO_TEXT,
    IMAGE_TOO_LARGE (the file's own faults); OCR_UNAVAILABLE (tesseract missing on
    the server); the sandbox adds TIMEOUT and PARSE_FAILED.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
