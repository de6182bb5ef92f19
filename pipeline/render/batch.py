"""Render many documents with worker processes into a directory that appears atomically.

Each worker compiles the templates once (in its initializer, or on first use) and writes
its documents straight into the temporary sibling of the output directory; the directory
is renamed into place only when every document has been written and fsynced. Work is
handed out in chunks with a bounded number in flight, so memory stays flat for any count.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.errors import Issue, TemplateError
from pipeline.fsio import atomic_directory
from pipeline.render.compile import CompiledTemplate

__all__ = ["RenderJob", "RenderedFile", "iter_render", "render_batch"]

CHUNK = 32
"""Documents per task sent to a worker (amortises pickling and IPC)."""


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One document to render: template, data, and its path inside the output directory."""

    template_path: Path
    context: Mapping[str, Any]
    out_relpath: str


@dataclass(frozen=True, slots=True)
class RenderedFile:
    """A written document: relative path, SHA-256 of its bytes and of its template."""

    relpath: str
    sha256: str
    template_sha256: str


def _safe_relpath(relpath: str) -> PurePosixPath:
    path = PurePosixPath(relpath)
    if path.is_absolute() or not path.parts or ".." in path.parts or path.suffix.lower() != ".docx":
        raise ValueError(f"output path {relpath!r} must be a relative .docx path without '..'")
    return path


def _render_chunk(directory: str, chunk: list[RenderJob]) -> list[RenderedFile] | tuple[str, list[Issue]]:
    """Render and write ``chunk``; a template problem comes back as (message, issues)."""
    done: list[RenderedFile] = []
    made_dirs: set[Path] = set()
    for job in chunk:
        try:
            template = CompiledTemplate.load(job.template_path)
            data = template.render(job.context)
        except TemplateError as exc:
            issues = [dataclasses.replace(issue, location=f"{job.out_relpath}: {issue.location}")
                      for issue in exc.issues]
            return f"{job.out_relpath}: {exc}", issues
        target = Path(directory, *_safe_relpath(job.out_relpath).parts)
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        with open(target, "xb") as handle:
            handle.write(data)
        done.append(RenderedFile(job.out_relpath, hashlib.sha256(data).hexdigest(), template.sha256))
    return done


def _init_worker(template_paths: tuple[Path, ...]) -> None:
    """Worker initializer: compile every known template once in this process."""
    for path in template_paths:
        CompiledTemplate.load(path)


def _unwrap(result: list[RenderedFile] | tuple[str, list[Issue]]) -> list[RenderedFile]:
    if isinstance(result, tuple):
        message, issues = result
        raise TemplateError(message, issues)
    return result


def _chunks(tasks: Iterable[RenderJob]) -> Iterator[list[RenderJob]]:
    iterator = iter(tasks)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def iter_render(tasks: Iterable[RenderJob], directory: Path, jobs: int = 1) -> Iterator[RenderedFile]:
    """Render ``tasks`` into the existing ``directory`` with ``jobs`` processes, in order.

    At most two chunks per worker are in flight, so ``tasks`` may be a lazy iterable.
    """
    if jobs <= 1:
        for chunk in _chunks(tasks):
            yield from _unwrap(_render_chunk(str(directory), chunk))
        return
    known = tuple(sorted({Path(task.template_path) for task in tasks})) if isinstance(tasks, Sequence) else ()
    pending: deque[Future] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(known,)) as pool:
        try:
            for chunk in _chunks(tasks):
                pending.append(pool.submit(_render_chunk, str(directory), chunk))
                if len(pending) >= 2 * jobs:
                    yield from _unwrap(pending.popleft().result())
            while pending:
                yield from _unwrap(pending.popleft().result())
        finally:
            for future in pending:
                future.cancel()


def render_batch(tasks: Iterable[RenderJob], out_dir: Path, jobs: int | None = None,
                 progress: bool | None = None, *, replace: bool = True) -> list[RenderedFile]:
    """Render ``tasks`` into ``out_dir``, which appears atomically when all are written.

    ``jobs`` processes (default: all cores); ``progress`` shows a Rich bar (default: when
    stderr is a terminal). An existing ``out_dir`` is replaced unless ``replace`` is false.
    Output paths must be unique, relative and end in ``.docx``.
    """
    workers = max(1, jobs or os.cpu_count() or 1)
    total = len(tasks) if isinstance(tasks, Sequence) else None
    if isinstance(tasks, Sequence):
        seen: set[str] = set()
        for task in tasks:
            _safe_relpath(task.out_relpath)
            if task.out_relpath in seen:
                raise ValueError(f"output path {task.out_relpath!r} is used twice")
            seen.add(task.out_relpath)
    show = sys.stderr.isatty() if progress is None else progress
    with atomic_directory(Path(out_dir), replace=replace) as temp:
        results = iter_render(tasks, temp, workers)
        if not show:
            return list(results)
        return list(_with_progress(results, total))


def _with_progress(results: Iterator[RenderedFile], total: int | None) -> Iterator[RenderedFile]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("render", total=total)
        for item in results:
            bar.advance(task)
            yield item
