"""HTML -> PDF with weasyprint, fetching nothing from outside.

weasyprint would fetch any URL a page names (images, stylesheets, fonts) over HTTP,
FTP or from the file system. `LocalOnlyFetcher` refuses everything except `data:`
URLs and files inside our template directory, so even a page with markup we did
not write (templates escape all user text) cannot make the server fetch a URL or
read a local file. Fonts come from fontconfig, never from `@font-face` URLs.

Rendering is synchronous and CPU-bound: call it in a worker thread from async code.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from services.errors import ServiceError
from services.render.html import TEMPLATE_DIR

log = logging.getLogger(__name__)

BASE_URL = TEMPLATE_DIR.as_uri() + "/"


class PdfRenderFailed(ServiceError):
    """The PDF renderer failed on a page (a bug or a resource limit, not the input)."""

    code = "PDF_RENDER_FAILED"


class FetchRefused(ValueError):
    """A URL that rendering may not fetch."""


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """A weasyprint URL fetcher for `data:` URLs and our own template files only."""

    def __init__(self, root: Path = TEMPLATE_DIR) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self._root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._local_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0]
                return URLFetcherResponse(
                    url,
                    path.read_bytes(),
                    {"Content-Type": content_type or "application/octet-stream"},
                )
        log.warning("PDF rendering refused to fetch %.200s", url)
        raise FetchRefused(f"refused to fetch {url[:200]}")

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            return None
        return path


@functools.cache
def _check_subsetter() -> None:
    """Without libharfbuzz-subset weasyprint subsets fonts with fontTools: a resume
    with CJK text took 3.7 s instead of 0.35 s here. Say so, once."""
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        log.warning(
            "libharfbuzz-subset is missing: PDF rendering is slow "
            "(apt-get install libharfbuzz-subset0, or `make system-deps`)"
        )


def render_document(html: str) -> tuple[bytes, int]:
    """The PDF of a page and its page count; any renderer error is PdfRenderFailed."""
    _check_subsetter()
    try:
        document = weasyprint.HTML(
            string=html, base_url=BASE_URL, url_fetcher=LocalOnlyFetcher()
        ).render()
        data = document.write_pdf()
        pages = len(document.pages)
    except Exception as exc:  # weasyprint, pango, fontTools, pydyf: any of them
        log.exception("PDF rendering failed")
        raise PdfRenderFailed("PDF rendering failed") from exc
    if not isinstance(data, bytes) or not data.startswith(b"%PDF-"):
        raise PdfRenderFailed("PDF rendering failed")
    return data, pages


def render_pdf_bytes(html: str) -> bytes:
    """The PDF of a page (synchronous: run it in a worker thread from async code)."""
    return render_document(html)[0]
