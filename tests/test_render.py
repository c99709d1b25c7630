"""Resume PDFs: every theme renders what the document says (read back with pypdf),
CJK text renders in an embedded CJK font, user text is escaped and nothing is ever
fetched, renders are cached per organization by content hash, run off the event
loop, at most two at once, and renderer failures are PDF_RENDER_FAILED."""

from __future__ import annotations

import asyncio
import copy
import io
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import weasyprint
from aiohttp import web
from aiohttp.test_utils import TestClient
from pypdf import PdfReader

import server
from models.accounts import Organization
from models.files import StoredFile
from models.render import RenderedPdf
from services import profiles, render
from services.errors import ValidationFailed
from services.render import cache as render_cache
from services.render import pdf as render_pdf
from services.render.html import TEMPLATE_DIR

RESUME: dict[str, Any] = {
    "personalInfo": {
        "name": "Bruce Wayne",
        "title": "Staff Backend Engineer",
        "email": "bruce@wayne.example",
        "phone": "+1 (555) 010-0199",
        "location": "Gotham, USA",
        "website": "https://wayne.example",
        "linkedin": "linkedin.com/in/bwayne",
        "github": "https://github.com/bwayne",
    },
    "summary": "Backend engineer with ten years of distributed systems.\n"
    "Cut p95 latency by 40% on a payments platform.",
    "workExperience": [
        {
            "id": 1,
            "title": "Staff Engineer",
            "company": "Wayne Enterprises",
            "location": "Gotham",
            "years": "2020 - Present",
            "description": [
                "Led the billing rewrite from a monolith to event-driven services",
                "Cut p95 latency by 40% with a read-through cache",
            ],
        },
        {
            "id": 2,
            "title": "Senior Engineer",
            "company": "Kord Industries",
            "years": "2016 - 2020",
            "description": ["Built the fleet telemetry pipeline (Kafka, Go)"],
        },
        {
            "id": 3,
            "title": "Software Engineer",
            "company": "Queen Consolidated",
            "years": "2013 - 2016",
            "description": ["Shipped the first public REST API"],
        },
    ],
    "education": [
        {
            "id": 1,
            "institution": "Gotham University",
            "degree": "BSc Computer Science",
            "years": "2009 - 2013",
            "description": "Thesis on consensus protocols",
        }
    ],
    "personalProjects": [
        {
            "id": 1,
            "name": "Batsignal",
            "role": "Maintainer",
            "years": "2019",
            "github": "https://github.com/bwayne/batsignal",
            "description": ["Open-source alerting for on-call teams"],
        }
    ],
    "additional": {
        "technicalSkills": ["Python", "Go", "PostgreSQL", "Kubernetes"],
        "languages": ["English", "French"],
        "certificationsTraining": ["AWS Solutions Architect"],
        "awards": ["Gotham Hackathon winner"],
    },
    "customSections": {
        "volunteering": {"title": "Volunteering", "items": ["Gotham soup kitchen"]}
    },
}
EMPLOYERS = [job["company"] for job in RESUME["workExperience"]]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def fonts_of_runs(data: bytes) -> list[tuple[str, str]]:
    """(text, embedded font name) of every text run of the PDF."""
    runs: list[tuple[str, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip() and font is not None:
            runs.append((text, str(font.get("/BaseFont", ""))))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def link_targets(data: bytes) -> list[str]:
    targets = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


@pytest.fixture
async def org_id(client: TestClient) -> int:
    return (await Organization.create(name="Wayne")).id


class FetchSpy:
    """Records every URL weasyprint asks our fetcher for, and what became of it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str]] = []
        original = render_pdf.LocalOnlyFetcher.fetch

        def fetch(fetcher: Any, url: str, headers: Any = None) -> Any:
            try:
                response = original(fetcher, url, headers)
            except render_pdf.FetchRefused:
                self.calls.append((url, "refused"))
                raise
            self.calls.append((url, "served"))
            return response

        monkeypatch.setattr(render_pdf.LocalOnlyFetcher, "fetch", fetch)


@pytest.fixture
async def listener(aiohttp_server: Any) -> Any:
    """A local HTTP server that counts every request it gets (it should get none)."""
    hits: list[str] = []

    async def anything(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"body { color: red }", content_type="text/css")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    srv = await aiohttp_server(app)
    srv.hits = hits
    return srv


# -- themes ----------------------------------------------------------------------------


def test_theme_ids_are_the_profile_theme_catalog() -> None:
    assert tuple(theme.id for theme in profiles.THEMES) == render.THEME_IDS
    for theme in render.THEME_IDS:
        assert (TEMPLATE_DIR / "themes" / f"{theme}.css").is_file()


@pytest.mark.parametrize("theme", render.THEME_IDS)
def test_every_theme_renders_the_name_employers_and_schools(theme: str) -> None:
    html = render.resume_html(RESUME, theme=theme)
    assert '<html lang="en">' in html
    text = pdf_text(render.render_pdf_bytes(html))
    assert "Bruce Wayne" in text
    for employer in EMPLOYERS:
        assert employer in text
    assert "Gotham University" in text
    assert "Led the billing rewrite" in text
    assert "Gotham soup kitchen" in text


def test_sections_follow_the_language() -> None:
    english = render.resume_html(RESUME, theme="classic")
    german = render.resume_html(RESUME, theme="classic", language="de-AT")
    assert ">Experience<" in english
    assert '<html lang="de-AT">' in german
    assert ">Berufserfahrung<" in german
    assert ">Experience<" not in german


@pytest.mark.parametrize(
    ("language", "name", "font"),
    [("zh-CN", "李小龍", "Noto-Sans-CJK-SC"), ("ja", "山田太郎", "Noto-Sans-CJK-JP")],
)
def test_noto_renders_cjk_in_an_embedded_cjk_font(
    language: str, name: str, font: str
) -> None:
    data = copy.deepcopy(RESUME)
    data["personalInfo"]["name"] = name
    data["workExperience"][0]["company"] = "阿里巴巴"
    data["workExperience"][0]["description"] = ["负责支付系统的架构设计"]
    pdf = render.render_pdf_bytes(
        render.resume_html(data, theme="noto", language=language)
    )
    text = pdf_text(pdf)
    assert name in text
    assert "阿里巴巴" in text
    assert "负责支付系统的架构设计" in text
    # pango draws a character in a font only when the font has its glyph: the runs
    # with CJK text are in the embedded Noto Sans CJK of the language, not tofu
    runs = fonts_of_runs(pdf)
    cjk_runs = [f for t, f in runs if name in t or "负责支付" in t]
    assert cjk_runs, runs
    assert all(font in f for f in cjk_runs), cjk_runs


def test_unknown_theme_and_bad_language_are_validation_errors() -> None:
    with pytest.raises(ValidationFailed) as exc:
        render.resume_html(RESUME, theme="comic-sans")
    assert exc.value.field == ["theme"]
    with pytest.raises(ValidationFailed) as exc:
        render.content_hash(RESUME, theme="comic-sans")
    assert exc.value.field == ["theme"]
    with pytest.raises(ValidationFailed) as exc:
        render.resume_html(RESUME, theme="classic", language='en"><script>')
    assert exc.value.field == ["language"]


def test_content_hash_is_canonical_and_covers_every_input() -> None:
    digest = render.content_hash(RESUME, theme="modern")
    reordered = dict(reversed(list(copy.deepcopy(RESUME).items())))
    assert render.content_hash(reordered, theme="modern") == digest
    changed = copy.deepcopy(RESUME)
    changed["workExperience"][1]["years"] = "2016 - 2021"
    others = {
        render.content_hash(RESUME, theme="classic"),
        render.content_hash(RESUME, theme="modern", language="fr"),
        render.content_hash(changed, theme="modern"),
    }
    assert digest not in others
    assert len(others) == 3
    assert len(digest) == 64


# -- nothing is fetched ----------------------------------------------------------------


async def test_hostile_text_is_escaped_and_fetches_nothing(
    listener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = FetchSpy(monkeypatch)
    base = f"http://127.0.0.1:{listener.port}"
    img = f'<img src="{base}/img.png">'
    data = copy.deepcopy(RESUME)
    data["personalInfo"]["name"] = f"Bruce {img}"
    data["personalInfo"]["website"] = "javascript:alert(1)"
    data["personalInfo"]["github"] = f'{base}/x" onclick="steal()'
    data["summary"] = f"<style>@import url({base}/a.css); body {{ color: red }}</style>"
    data["workExperience"][0]["description"] = [
        f'<link rel="stylesheet" href="{base}/b.css">',
        "background: url(file:///etc/passwd)",
        "</li></ul><script>alert(1)</script>",
    ]
    html = render.resume_html(data, theme="modern")
    assert "<img" not in html
    assert "<script" not in html
    assert "<link" not in html
    assert "&lt;img src=&#34;" in html
    pdf = await asyncio.to_thread(render.render_pdf_bytes, html)
    text = "".join(pdf_text(pdf).split())  # lines wrap anywhere
    assert "".join(img.split()) in text  # shown as text
    assert "url(file:///etc/passwd)" in text
    assert listener.hits == []
    assert spy.calls == []
    targets = link_targets(pdf)
    assert "mailto:bruce@wayne.example" in targets
    assert all(
        t.startswith(("https://", "http://", "mailto:", "tel:")) for t in targets
    )
    assert not any("javascript" in t or "onclick" in t for t in targets)


async def test_the_fetcher_refuses_everything_but_data_and_template_files(
    listener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even markup we did not escape (a template bug) cannot fetch anything."""
    spy = FetchSpy(monkeypatch)
    base = f"http://127.0.0.1:{listener.port}"
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlE"
        "QVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/a.css">
      <style>@import url("file:///etc/passwd"); @font-face {{ font-family: X;
        src: url({base}/font.woff) }} body {{ background: url(/etc/hostname) }}</style>
      </head><body><p>hello</p>
      <img src="{base}/img.png"><img src="file:///etc/passwd">
      <img src="../pdf.py"><img src="{pixel}"><img src="themes/base.css">
      </body></html>"""
    pdf = await asyncio.to_thread(render.render_pdf_bytes, html)
    assert "hello" in pdf_text(pdf)
    assert listener.hits == []
    outcome = dict(spy.calls)
    assert outcome[pixel] == "served"
    assert outcome[(TEMPLATE_DIR / "themes" / "base.css").as_uri()] == "served"
    refused = {url for url, result in spy.calls if result == "refused"}
    assert {
        f"{base}/a.css",
        f"{base}/img.png",
        f"{base}/font.woff",
        "file:///etc/passwd",
        "file:///etc/hostname",
        (TEMPLATE_DIR.parent / "pdf.py").as_uri(),
    } <= refused

    fetcher = render_pdf.LocalOnlyFetcher()
    for url in ("https://example.com/", "ftp://example.com/x", "file:///etc/passwd"):
        with pytest.raises(render_pdf.FetchRefused):
            fetcher.fetch(url)


# -- failures --------------------------------------------------------------------------


async def test_renderer_errors_are_pdf_render_failed(
    org_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("pango fell over")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    with pytest.raises(render.PdfRenderFailed) as exc:
        render.render_pdf_bytes("<p>hi</p>")
    assert exc.value.code == "PDF_RENDER_FAILED"
    assert isinstance(exc.value.__cause__, RuntimeError)
    with pytest.raises(render.PdfRenderFailed):
        await render.resume_pdf(organization_id=org_id, data=RESUME, theme="classic")
    assert await RenderedPdf.all().count() == 0


# -- cache -----------------------------------------------------------------------------


async def test_second_render_is_served_from_the_cache(org_id: int) -> None:
    first = await render.resume_pdf(organization_id=org_id, data=RESUME, theme="modern")
    assert first.cached is False
    assert first.pages == 1
    assert first.data.startswith(b"%PDF-")
    assert first.content_hash == render.content_hash(RESUME, theme="modern")
    again = await render.resume_pdf(organization_id=org_id, data=RESUME, theme="modern")
    assert again.cached is True
    assert again.data == first.data
    assert again.content_hash == first.content_hash
    assert again.pages == first.pages

    other_theme = await render.resume_pdf(
        organization_id=org_id, data=RESUME, theme="classic"
    )
    changed = copy.deepcopy(RESUME)
    changed["summary"] = "Something else."
    other_data = await render.resume_pdf(
        organization_id=org_id, data=changed, theme="modern"
    )
    assert other_theme.cached is False
    assert other_data.cached is False
    assert (
        len({first.content_hash, other_theme.content_hash, other_data.content_hash})
        == 3
    )
    assert "Something else." in pdf_text(other_data.data)

    rows = await RenderedPdf.filter(organization_id=org_id).order_by("id")
    assert [(r.theme, r.size) for r in rows] == [
        ("modern", len(first.data)),
        ("classic", len(other_theme.data)),
        ("modern", len(other_data.data)),
    ]
    # the cache is per organization
    other_org = await Organization.create(name="Kord")
    theirs = await render.resume_pdf(
        organization_id=other_org.id, data=RESUME, theme="modern"
    )
    assert theirs.cached is False


async def test_a_concurrent_insert_of_the_same_hash_serves_the_stored_copy(
    org_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await render.resume_pdf(organization_id=org_id, data=RESUME, theme="noto")
    stored = render_cache._stored
    misses = 2  # the lookup and the re-check miss, as if another process was faster

    async def late(organization_id: int, digest: str) -> RenderedPdf | None:
        nonlocal misses
        if misses:
            misses -= 1
            return None
        return await stored(organization_id, digest)

    monkeypatch.setattr(render_cache, "_stored", late)
    second = await render.resume_pdf(organization_id=org_id, data=RESUME, theme="noto")
    assert misses == 0  # it did render again
    assert second.cached is True
    assert second.data == first.data
    assert await RenderedPdf.filter(organization_id=org_id).count() == 1


async def test_rendering_does_not_block_the_event_loop(org_id: int) -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    result = await render.resume_pdf(
        organization_id=org_id, data=RESUME, theme="executive"
    )
    elapsed = time.perf_counter() - started
    done.set()
    await task
    assert result.cached is False
    # a loop blocked for the whole render would tick once or twice
    assert ticks >= max(3, int(elapsed / 0.005 * 0.2)), (ticks, elapsed)


async def test_at_most_two_renders_run_at_once(
    org_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = threading.Lock()
    running = peak = 0
    real = render_cache.render_document

    def counted(html: str) -> tuple[bytes, int]:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)
            return real(html)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(render_cache, "render_document", counted)
    documents = []
    for i in range(5):
        data = copy.deepcopy(RESUME)
        data["summary"] = f"Variant {i}"
        documents.append(data)
    results = await asyncio.gather(
        *(
            render.resume_pdf(organization_id=org_id, data=d, theme="terminal")
            for d in documents
        )
    )
    assert peak == render_cache.RENDER_CONCURRENCY == 2
    assert [r.cached for r in results] == [False] * 5
    assert len({r.content_hash for r in results}) == 5


async def test_signed_link_serves_the_pdf(client: TestClient, org_id: int) -> None:
    signer = client.app[server.RUNTIME_KEY].files
    url, expires_at, result = await render.resume_pdf_link(
        signer=signer,
        base_url="http://careergraph.test",
        organization_id=org_id,
        data=RESUME,
        theme="classic",
        language="en",
        filename="Bruce Wayne resume",
        keep_for=timedelta(hours=1),
    )
    assert url.startswith("http://careergraph.test/files/")
    assert expires_at.timestamp() > time.time()
    assert result.cached is False
    response = await client.get(url.removeprefix("http://careergraph.test"))
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert (
        'filename="Bruce_Wayne_resume.pdf"' in response.headers["Content-Disposition"]
    )
    assert await response.read() == result.data
    stored = await StoredFile.get()
    assert (stored.kind, stored.organization_id) == ("resume_pdf", org_id)
    # a second link reuses the rendering
    _, _, again = await render.resume_pdf_link(
        signer=signer,
        base_url="http://careergraph.test",
        organization_id=org_id,
        data=RESUME,
        theme="classic",
        language="en",
        filename="resume.pdf",
        keep_for=timedelta(hours=1),
    )
    assert again.cached is True
