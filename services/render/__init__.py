"""Resume PDFs: ResumeData -> themed HTML (Jinja2, autoescaped) -> PDF (weasyprint,
no network, local fonts only), cached per organization by content hash, served by
expiring signed links.

    html.py     themes, the document view, `resume_html`, `content_hash`
    labels.py   section headings per language, CJK font variant per language
    pdf.py      `render_pdf_bytes` (weasyprint behind a fetcher that refuses URLs)
    cache.py    `resume_pdf` (cached, rendered off the event loop), `resume_pdf_link`
    templates/  the layouts and one stylesheet per theme

Themes are the ids of the profile theme catalog (`services.profiles.THEMES`).
"""

from __future__ import annotations

from services.render.cache import RenderedResult, resume_pdf, resume_pdf_link
from services.render.html import (
    RENDERER_VERSION,
    THEME_IDS,
    content_hash,
    resume_html,
)
from services.render.pdf import PdfRenderFailed, render_pdf_bytes

__all__ = [
    "RENDERER_VERSION",
    "THEME_IDS",
    "PdfRenderFailed",
    "RenderedResult",
    "content_hash",
    "render_pdf_bytes",
    "resume_html",
    "resume_pdf",
    "resume_pdf_link",
]
