"""Speed of the whole in-process resume parse against plain pypdf extraction.

    .venv/bin/python bench/parse_speed.py [--runs 15]

For every `../shared/corpus/resumes/*.pdf` and `layouts/*.pdf` (relative to the
project root's parent), in the same run and interleaved: the median of `--runs` calls of
`services.documents.sandbox.parse_document(data=..., kind="pdf")` (sniff-free
extraction with the text repairs and link collection, then the offline parser),
and the median of `--runs` plain `pypdf.PdfReader(...).pages[i].extract_text()`
over all pages of the same bytes. Also the offline parser alone
(`parse_resume_text` on the extracted text).

Prints per file and overall (sum of medians): both times, `ratio =
parse_document / plain pypdf` (project target <= 1.5) and `parser share =
parse_resume_text / plain pypdf` (target <= 0.5).

OCR apart (`--ocr-runs`, default 3; 0 skips it): the first page of every
`resumes/*.pdf` rendered to a 150 dpi PNG (PDFium), and the median time of
`parse_document` on it (Tesseract, then the parser), per page.

Skips (exit 0) when the corpus is absent; exit 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from services.documents.offline import parse_resume_text  # noqa: E402
from services.documents.sandbox import parse_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def plain_pypdf(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--ocr-runs", type=int, default=3)
    args = parser.parse_args()
    files = (
        sorted(CORPUS.glob("resumes/*.pdf")) + sorted(CORPUS.glob("layouts/*.pdf"))
        if CORPUS.is_dir()
        else []
    )
    if not files:
        print(f"no corpus PDFs at {CORPUS}: skipped")
        return 0

    print(
        f"{'file':<50} {'pypdf ms':>9} {'parse ms':>9} {'ratio':>6} "
        f"{'parser ms':>10} {'share':>6}"
    )
    totals = [0.0, 0.0, 0.0]
    for path in files:
        data = path.read_bytes()
        text = parse_document(data=data, kind="pdf").text  # warm-up (imports)
        plain_pypdf(data)
        plain, full, alone = [], [], []
        for _ in range(args.runs):
            plain.append(timed(lambda data=data: plain_pypdf(data)))
            full.append(timed(lambda data=data: parse_document(data=data, kind="pdf")))
            alone.append(timed(lambda text=text: parse_resume_text(text)))
        medians = [statistics.median(values) for values in (plain, full, alone)]
        for index, value in enumerate(medians):
            totals[index] += value
        print(
            f"{path.name:<50} {medians[0] * 1000:>9.1f} {medians[1] * 1000:>9.1f} "
            f"{medians[1] / medians[0]:>6.2f} {medians[2] * 1000:>10.2f} "
            f"{medians[2] / medians[0]:>6.3f}"
        )
    print(
        f"{'overall (sum of medians)':<50} {totals[0] * 1000:>9.1f} "
        f"{totals[1] * 1000:>9.1f} {totals[1] / totals[0]:>6.2f} "
        f"{totals[2] * 1000:>10.2f} {totals[2] / totals[0]:>6.3f}"
    )
    print(
        f"ratio parse_document / plain pypdf = {totals[1] / totals[0]:.2f} "
        "(target <= 1.5); "
        f"parser alone / plain pypdf = {totals[2] / totals[0]:.3f} (target <= 0.5)"
    )
    if args.ocr_runs > 0:
        ocr(sorted(CORPUS.glob("resumes/*.pdf")), args.ocr_runs)
    return 0


def ocr(files: list[Path], runs: int) -> None:
    import pypdfium2

    print(f"\nOCR (first page at 150 dpi, PNG; median of {runs})")
    seconds = []
    for path in files:
        document = pypdfium2.PdfDocument(path.read_bytes())
        image = document[0].render(scale=150 / 72).to_pil()
        document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        png = buffer.getvalue()
        times = [
            timed(lambda png=png: parse_document(data=png, kind="png"))
            for _ in range(runs)
        ]
        seconds.append(statistics.median(times))
        print(f"{path.name:<50} {seconds[-1]:>6.2f} s/page")
    print(f"{'median over files':<50} {statistics.median(seconds):>6.2f} s/page")


if __name__ == "__main__":
    sys.exit(main())
