"""Course authoring benchmark: the time from a 50-page PDF to a draft outline (extractive, no LLM).

    python bench/authoring_bench.py [--pages 50] [--runs 3] [--no-skills]

The PDF is made for the run (fpdf2): the test fixture's public-domain-dedicated guide, repeated as numbered
sections, about 450 words a page. Timed: reading the PDF (``authoring.sources.from_file``) and drafting
(``authoring.drafting.draft``) with the demo company's skill extraction (label matching plus, when the sentence
model is present, matching by meaning). Reported: pages, words, best and median seconds of each part.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURE = ROOT / "tests" / "fixtures" / "authoring" / "protecting_accounts.md"


def make_pdf(path: Path, pages: int) -> int:
    from fpdf import FPDF

    lines = [line.lstrip("# ").strip() for line in FIXTURE.read_text().splitlines() if line.strip()]
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("helvetica", size=10)
    section, words = 0, 0
    while pdf.page_no() < pages:
        section += 1
        pdf.add_page() if section == 1 else None
        pdf.set_font("helvetica", "B", 12)
        pdf.multi_cell(0, 6, f"Section {section}: {lines[0]}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=10)
        for line in lines[1:]:
            text = line.encode("latin-1", "replace").decode("latin-1")
            pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
            words += len(text.split())
            if pdf.page_no() > pages:
                break
    pdf.output(str(path))
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-skills", action="store_true", help="draft without skill extraction")
    args = parser.parse_args()

    import app
    from authoring import drafting, sources
    from handlers.context import skill_extractor
    from handlers.seed_demo import seed_demo
    from settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        words = make_pdf(folder / "guide.pdf", args.pages)
        settings = Settings(data_dir=folder)
        extractor = None
        if not args.no_skills:
            ladder = app.build(settings)
            seed_demo(ladder)
            extractor = skill_extractor(ladder)
            extractor.extract("warm-up: build the label vectors once, outside the timing")
        reading, drafting_s = [], []
        outline = None
        for _ in range(args.runs):
            started = time.perf_counter()
            source = sources.from_file(folder / "guide.pdf", max_bytes=settings.authoring_max_bytes,
                                       max_words=settings.authoring_max_words)
            read = time.perf_counter()
            outline = drafting.draft(source, extractor)
            done = time.perf_counter()
            reading.append(read - started)
            drafting_s.append(done - read)
    data = outline.as_data() if outline is not None and hasattr(outline, "as_data") else {}
    report = {"pages": args.pages, "words": words, "runs": args.runs, "skills": not args.no_skills,
              "read_best_s": round(min(reading), 3), "read_median_s": round(statistics.median(reading), 3),
              "draft_best_s": round(min(drafting_s), 3), "draft_median_s": round(statistics.median(drafting_s), 3),
              "modules": len(data.get("modules", [])), "questions": len(data.get("assessment", data.get("questions", [])))}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
