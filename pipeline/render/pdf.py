"""DOCX -> PDF with LibreOffice headless: one long-lived soffice per worker, many files each.

Starting soffice costs about a second; converting one more document in a running process
about 50 ms. So the inputs are split into ``jobs`` batches and each batch is converted by
one ``soffice --convert-to pdf`` invocation with its own user profile (profiles cannot be
shared by concurrent processes). PDFs are placed next to their DOCX (or in ``out_dir``)
atomically.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.errors import Issue, UserError
from pipeline.fsio import atomic_write_bytes

__all__ = ["PdfConversionError", "convert_to_pdf", "find_soffice"]

_STARTUP_SECONDS = 60
_SECONDS_PER_FILE = 20


class PdfConversionError(UserError):
    """LibreOffice is missing or could not convert a document."""


def find_soffice() -> str:
    """Path of the LibreOffice binary (``$QUJAT_SOFFICE``, ``soffice`` or ``libreoffice``)."""
    for candidate in (os.environ.get("QUJAT_SOFFICE"), "soffice", "libreoffice"):
        if candidate and (found := shutil.which(candidate)):
            return found
    issue = Issue(location="PATH", key="render.pdf.missing")
    raise PdfConversionError(issue.render("en"), [issue])


def convert_to_pdf(paths: Sequence[Path], jobs: int | None = None, out_dir: Path | None = None) -> list[Path]:
    """Convert DOCX ``paths`` to PDF with ``jobs`` soffice processes; PDF paths in input order.

    Each PDF is written next to its DOCX, or into ``out_dir`` when given.
    """
    paths = [Path(path).resolve() for path in paths]
    if not paths:
        return []
    soffice = find_soffice()
    targets = [(Path(out_dir).resolve() if out_dir else path.parent) / (path.stem + ".pdf") for path in paths]
    if len(set(targets)) != len(targets):
        raise ValueError("two inputs would produce the same PDF; convert them into different directories")
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    batches = [list(range(index, len(paths), workers)) for index in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_convert_batch, soffice, [paths[i] for i in batch], [targets[i] for i in batch])
                   for batch in batches]
        for future in futures:
            future.result()
    return targets


def _unique_stem_groups(paths: list[Path]) -> list[list[int]]:
    """Split indices so that no group has two inputs with the same stem (same output name)."""
    groups: list[tuple[set[str], list[int]]] = []
    for index, path in enumerate(paths):
        for stems, members in groups:
            if path.stem not in stems:
                stems.add(path.stem)
                members.append(index)
                break
        else:
            groups.append(({path.stem}, [index]))
    return [members for _stems, members in groups]


def _convert_batch(soffice: str, paths: list[Path], targets: list[Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="qujat-lo-") as work:
        profile = Path(work, "profile").as_uri()
        for group in _unique_stem_groups(paths):
            out = Path(work, "out")
            out.mkdir(exist_ok=True)
            _run_soffice(soffice, profile, [paths[i] for i in group], out)
            for i in group:
                produced = out / (paths[i].stem + ".pdf")
                if not produced.is_file() or produced.read_bytes()[:5] != b"%PDF-":
                    raise _failure(paths[i], "no PDF was produced")
                _place(produced, targets[i])


def _run_soffice(soffice: str, profile: str, inputs: list[Path], out: Path) -> None:
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export",
               "--outdir", str(out), *map(str, inputs)]
    timeout = _STARTUP_SECONDS + _SECONDS_PER_FILE * len(inputs)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    try:
        _stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise _failure(inputs[0], f"LibreOffice did not finish within {timeout} s") from None
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-300:] or f"exit code {process.returncode}"
        raise _failure(inputs[0], detail)


def _failure(path: Path, detail: str) -> PdfConversionError:
    issue = Issue(location=str(path), key="render.pdf.failed", params={"file": path.name, "detail": detail})
    return PdfConversionError(issue.render("en"), [issue])


def _place(produced: Path, target: Path) -> None:
    """Move ``produced`` to ``target`` atomically (copy + replace across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(produced, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        atomic_write_bytes(target, produced.read_bytes())
