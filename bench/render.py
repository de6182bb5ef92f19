"""Render benchmark: docxtpl (a new DocxTemplate per document) vs qujat's compiled templates.

Prints, from one run on this machine:

* docs/s on one core for a work plan (~10 KPI rows) and a 200-row commission protocol,
  docxtpl vs qujat, and the ratio (goals: >= 20x and >= 8x);
* qujat docs/s by zlib level of the rendered document.xml;
* peak RSS (ru_maxrss of a child process) rendering a small vs a large batch to disk;
  it must not grow with the count;
* ``render_batch`` with ``--jobs 2`` vs ``--jobs 1``;
* LibreOffice PDF, the same documents through the long-lived UNO pool (first call and warm)
  and through batch ``soffice --convert-to``, with ``--jobs 1`` and ``2`` (``--pdf 0`` to skip).

Uses ``templates_kk/work_plan.docx`` and ``templates_kk/commission_protocol.docx``.
Defaults finish in under two minutes; the full memory run is::

    python bench/render.py --rss-large 60000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.render import compile as compile_module
from pipeline.render.batch import RenderJob, iter_render, render_batch
from pipeline.render.compile import CompiledTemplate

PLAN = ROOT / "templates_kk" / "work_plan.docx"
PROTOCOL = ROOT / "templates_kk" / "commission_protocol.docx"
NAME = "Әбдіқадырова Гүлнұр Сәкенқызы & «Ғылым» <бөлімі>"


def context(rows: int, seed: int = 0) -> dict:
    """Data for both templates: ``rows`` KPI rows and ``rows`` protocol rows."""
    people = [{"label": "Тікелей басшы", "name": f"{NAME} {seed}", "date": "2024-12-20"},
              {"label": "Қызметкер", "name": "Сейітов Ұлан", "date": "2024-12-21"}]
    return {
        "appendix_header": "Әдістемеге 1-қосымша",
        "approver": {"label": "Бекітемін", "name": "Нұрланов Ә.", "date": "2024-01-10"},
        "B": "(қолы)",
        "L": {"col_no": "№", "col_kpi": "Нысаналы көрсеткіш", "col_source": "Ақпарат көзі",
              "col_due": "Мерзімі", "name_sign_caption": "(Т.А.Ә., қолы)"},
        "period": {"text": "2024 жыл"},
        "organisation": {"name": "Алатау қаласының әкімдігі"},
        "commission": {"conclusion": "Комиссия шешімі: нәтижелер бекітілсін."},
        "employee": {"full_name": f"{NAME} {seed}", "position": "бас маман", "unit": "Қаржы бөлімі"},
        "kpis": [{"n": i + 1, "title": f"Көрсеткіш {i + 1}: «ұлттық» қызмет & сапа", "source": "есеп",
                  "unit": "%", "planned": 95, "due": "IV тоқсан", "key_result": "орындалды"}
                 for i in range(rows)],
        "rows": [{"n": i + 1, "name": f"{NAME} {i}", "info": "тиімді", "detail": "4,5 балл",
                  "correction": "жоқ", "recommendation": "көтермелеу"} for i in range(rows)],
        "signers": people,
    }


def rate(function: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``function`` over at least ``seconds`` (after one warm-up call)."""
    function()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        function()
        count += 1
    return count / elapsed


def best_rates(first: Callable[[], object], second: Callable[[], object], seconds: float,
               rounds: int = 3) -> tuple[float, float]:
    """Best rate of each of two functions over interleaved rounds (fair on a busy machine)."""
    best = [0.0, 0.0]
    for _ in range(rounds):
        for index, function in enumerate((first, second)):
            best[index] = max(best[index], rate(function, seconds / rounds))
    return best[0], best[1]


def docxtpl_once(path: Path, data: dict) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(path))
    template.render(data, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def speed(seconds: float) -> None:
    print("== one core: docxtpl (new DocxTemplate per document, autoescape) vs qujat ==")
    for label, path, rows, goal in (("work plan, 10 rows", PLAN, 10, 20), ("protocol, 200 rows", PROTOCOL, 200, 8)):
        data = context(rows)
        template = CompiledTemplate.load(path)
        baseline, ours = best_rates(partial(docxtpl_once, path, data), partial(template.render, data), seconds)
        verdict = "ok" if ours / baseline >= goal else "BELOW GOAL"
        print(f"{label:20s} docxtpl {baseline:8.1f} docs/s   qujat {ours:8.1f} docs/s   "
              f"ratio {ours / baseline:5.1f}x (goal >= {goal}x: {verdict})")


def levels(seconds: float) -> None:
    print("== qujat by zlib level of document.xml (work plan) ==")
    template, data = CompiledTemplate.load(PLAN), context(10)
    chosen = compile_module.DEFLATE_LEVEL
    try:
        found = {}
        for _ in range(3):
            for level in (0, 1, 3, 6, 9):
                compile_module.DEFLATE_LEVEL = level
                found[level] = max(found.get(level, 0.0), rate(partial(template.render, data), seconds / 3))
        for level, docs in found.items():
            compile_module.DEFLATE_LEVEL = level
            print(f"level {level}: {docs:8.1f} docs/s, {len(template.render(data))} bytes")
    finally:
        compile_module.DEFLATE_LEVEL = chosen
    print(f"(shipped level: {chosen})")


def jobs_stream(count: int) -> Iterator[RenderJob]:
    for index in range(count):
        yield RenderJob(PLAN, context(10, index), f"d{index // 1000}/plan{index}.docx")


def rss_child(count: int) -> None:
    """Child mode: render ``count`` plans to a temp dir, print peak RSS (KiB) and seconds."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("QUJAT_BENCH_TMP")) as work:
        out = Path(work, "out")
        out.mkdir()
        start = time.perf_counter()
        written = sum(1 for _ in iter_render(jobs_stream(count), out, jobs=1))
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"count": written, "rss_kib": peak, "seconds": elapsed}))


def rss(small: int, large: int) -> None:
    print("== peak RSS rendering a batch to disk (child process, streaming input) ==")
    results = []
    for count in (small, large):
        output = subprocess.run([sys.executable, __file__, "--rss-child", str(count)],
                                check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(f"{result['count']:7d} documents: peak RSS {result['rss_kib'] / 1024:7.1f} MiB, "
              f"{result['count'] / result['seconds']:7.0f} docs/s")
    growth = results[1]["rss_kib"] / results[0]["rss_kib"]
    print(f"RSS growth {large // small}x the documents: {growth:.2f}x ({'flat' if growth < 1.15 else 'GROWS'})")


def parallel(count: int) -> None:
    print(f"== render_batch of {count} work plans to disk: --jobs 2 vs --jobs 1 ==")
    tasks = list(jobs_stream(count))
    timings = {}
    with tempfile.TemporaryDirectory() as work:
        for workers in (1, 2):
            start = time.perf_counter()
            render_batch(tasks, Path(work, f"j{workers}"), jobs=workers, progress=False)
            timings[workers] = time.perf_counter() - start
            print(f"--jobs {workers}: {count / timings[workers]:8.0f} docs/s")
    print(f"speed-up: {timings[1] / timings[2]:.2f}x")


def pdf(count: int) -> None:
    from pipeline.render.pdf import (
        close_pool,
        convert_to_pdf,
        find_soffice,
        find_uno_python,
    )

    find_soffice()
    uno = find_uno_python() is not None
    print(f"== LibreOffice PDF of the same {count} work plans: UNO pool vs batch --convert-to, --jobs 1 vs 2 ==")
    template = CompiledTemplate.load(PLAN)
    rates: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as work:
        paths = []
        for index in range(count):
            path = Path(work, f"plan{index}.docx")
            path.write_bytes(template.render(context(10, index)))
            paths.append(path)

        def timed(label: str, workers: int, engine: str) -> None:
            start = time.perf_counter()
            convert_to_pdf(paths, jobs=workers, out_dir=Path(work, f"{label}-{workers}"), engine=engine)
            rates[label, workers] = count / (time.perf_counter() - start)
            print(f"--jobs {workers} {label:38s} {rates[label, workers]:6.1f} docs/s "
                  f"({1000 / rates[label, workers]:4.0f} ms/doc)")

        for workers in (1, 2):
            timed("batch --convert-to (incl. start-up)", workers, "batch")
            if uno:
                close_pool()
                timed("UNO pool, first call (incl. start-up)", workers, "uno")
                timed("UNO pool, warm (same soffice)", workers, "uno")
        close_pool()
    for label in ("batch --convert-to (incl. start-up)", "UNO pool, warm (same soffice)"):
        if (label, 2) in rates:
            print(f"--jobs 2 vs 1, {label}: {rates[label, 2] / rates[label, 1]:.2f}x")
    if uno:
        for workers in (1, 2):
            batch = rates["batch --convert-to (incl. start-up)", workers]
            print(f"--jobs {workers}: UNO first call / batch {rates['UNO pool, first call (incl. start-up)', workers] / batch:.2f}x, "
                  f"UNO warm / batch {rates['UNO pool, warm (same soffice)', workers] / batch:.2f}x")
    else:
        print("(python3-uno not available: UNO pool not measured)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per speed figure")
    parser.add_argument("--rss-small", type=int, default=1000)
    parser.add_argument("--rss-large", type=int, default=10000, help="60000 for the full run")
    parser.add_argument("--parallel", type=int, default=4000, help="documents for the --jobs comparison")
    parser.add_argument("--pdf", type=int, default=40, help="documents to convert to PDF (0: skip)")
    parser.add_argument("--pdf-only", action="store_true", help="only the PDF figures")
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child is not None:
        rss_child(args.rss_child)
        return
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (figures are noisy when > 0.5)")
    if args.pdf_only:
        pdf(args.pdf or 40)
        return
    for path in (PLAN, PROTOCOL):
        if not path.is_file():
            sys.exit(f"missing template {path}")
    speed(args.seconds)
    levels(args.seconds / 3)
    rss(args.rss_small, args.rss_large)
    parallel(args.parallel)
    if args.pdf:
        pdf(args.pdf)


if __name__ == "__main__":
    main()
