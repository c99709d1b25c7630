"""Which library reads PDF layout (text with positions, font size and weight)
fastest: the measurement behind `services/documents/layout.py`.

    .venv/bin/python bench/layout_engines.py [--runs 5]

For every `../shared/corpus/resumes/*.pdf` and `layouts/*.pdf`, the median time
of, interleaved:

- `pypdf`: plain `extract_text()` of every page (the reference, 1.00);
- `pypdf visitor`: `extract_text(visitor_text=...)` recording each run's
  position and font size (pypdf reports no weight);
- `pdfium layout`: `services.documents.layout.pdf_pages_text` (PDFium's
  characters with boxes, size and weight, then rows, gaps and columns);
- `pdfminer.six`: `extract_pages` with LAParams (characters with boxes and font
  names), when pdfminer.six is installed (it is not a dependency).

Prints the sum of medians and each as a ratio to plain pypdf. Skips (exit 0)
when the corpus is absent.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from services.documents.layout import pdf_pages_text  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def plain(data: bytes) -> None:
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text()


def visitor(data: bytes) -> None:
    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        runs.append((float(tm[4]), float(tm[5]), float(size), text))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)


def pdfium(data: bytes) -> None:
    pdf_pages_text(data, 50)


def pdfminer_six(data: bytes) -> None:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer

    for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
        for element in page:
            if isinstance(element, LTTextContainer):
                for line in element:
                    for char in getattr(line, "_objs", []):
                        if isinstance(char, LTChar):
                            _ = (char.bbox, char.size, char.fontname)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = sorted(CORPUS.glob("resumes/*.pdf")) + sorted(CORPUS.glob("layouts/*.pdf"))
    if not files:
        print(f"no corpus PDFs at {CORPUS}: skipped")
        return 0
    engines: dict[str, Callable[[bytes], None]] = {
        "pypdf": plain,
        "pypdf visitor": visitor,
        "pdfium layout": pdfium,
    }
    try:
        import pdfminer  # noqa: F401

        engines["pdfminer.six"] = pdfminer_six
    except ImportError:
        print("(pdfminer.six not installed: not measured)")
    totals = dict.fromkeys(engines, 0.0)
    for path in files:
        data = path.read_bytes()
        samples: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(args.runs):
            for name, engine in engines.items():
                start = time.perf_counter()
                engine(data)
                samples[name].append(time.perf_counter() - start)
        for name in engines:
            totals[name] += statistics.median(samples[name])
    print(f"{len(files)} files, sum of medians of {args.runs} runs")
    for name, total in totals.items():
        print(f"{name:<15} {total * 1000:>8.0f} ms  {total / totals['pypdf']:>5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
