"""DOCX -> PDF with LibreOffice: a pool of long-lived soffice processes driven over UNO.

``convert_to_pdf(paths, jobs)`` hands the documents to ``jobs`` soffice processes, each
started once with its own temporary profile and kept for every later call in this process
(closed at exit). Each soffice is driven by a small UNO worker (:mod:`uno_worker`) run by an
interpreter that can ``import uno`` (Debian's ``python3-uno`` is for ``/usr/bin/python3``):
load hidden, store with ``writer_pdf_Export``, close. A soffice that dies or hangs is
killed, restarted and the document retried once; a document LibreOffice cannot load is
reported by name and the pool goes on. Without UNO, each worker converts its share with one
``soffice --convert-to pdf`` call (said once on stderr). PDFs land next to their DOCX (or in
``out_dir``), written atomically.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import IO, Any

from pipeline.errors import Issue, UserError
from pipeline.fsio import atomic_write_bytes, fsync_dir

__all__ = ["OfficePool", "PdfConversionError", "close_pool", "convert_to_pdf", "find_soffice",
           "find_uno_python", "shared_pool"]

START_SECONDS = float(os.environ.get("QUJAT_PDF_START_SECONDS", "60"))
DOCUMENT_SECONDS = float(os.environ.get("QUJAT_PDF_TIMEOUT", "120"))
_BATCH_SECONDS_PER_FILE = 20
_WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")
_SOFFICE_ENV = {"SAL_USE_VCLPLUGIN": "svp"}
_KAZAKH_CHARSET = "4d9 493 49b 4a3 4e9 4b1 4af 4bb 456"    # ә ғ қ ң ө ұ ү һ і


class PdfConversionError(UserError):
    """LibreOffice is missing or could not convert a document."""


class _Lost(Exception):
    """The soffice behind an office stopped answering (crashed, killed or hung)."""


def find_soffice() -> str:
    """Path of the LibreOffice binary (``$QUJAT_SOFFICE``, ``soffice`` or ``libreoffice``)."""
    for candidate in (os.environ.get("QUJAT_SOFFICE"), "soffice", "libreoffice"):
        if candidate and (found := shutil.which(candidate)):
            return found
    issue = Issue(location="PATH", key="render.pdf.missing")
    raise PdfConversionError(issue.render("en"), [issue])


@cache
def find_uno_python() -> str | None:
    """An interpreter that can ``import uno``: ``$QUJAT_UNO_PYTHON``, this one, or the system's."""
    chosen = os.environ.get("QUJAT_UNO_PYTHON")
    candidates = [chosen] if chosen else [sys.executable, "/usr/bin/python3", shutil.which("python3")]
    for candidate in dict.fromkeys(filter(None, candidates)):
        try:
            probe = subprocess.run([candidate, "-c", "import uno"], check=False, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return candidate
    return None


def convert_to_pdf(paths: Sequence[Path], jobs: int | None = None, out_dir: Path | None = None, *,
                   engine: str = "auto") -> list[Path]:
    """Convert DOCX ``paths`` to PDF with ``jobs`` soffice processes; PDF paths in input order.

    Each PDF is written next to its DOCX, or into ``out_dir`` when given. ``engine``:
    ``"auto"`` (the UNO pool, else batch ``--convert-to``), ``"uno"`` or ``"batch"``.
    Every document that fails is named in the one :class:`PdfConversionError` raised.
    """
    paths = [Path(path).resolve() for path in paths]
    if not paths:
        return []
    soffice = find_soffice()
    targets = [(Path(out_dir).resolve() if out_dir else path.parent) / (path.stem + ".pdf") for path in paths]
    if len(set(targets)) != len(targets):
        raise ValueError("two inputs would produce the same PDF; convert them into different directories")
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    _check_fonts_once()
    python = find_uno_python() if engine in ("auto", "uno") else None
    if python is None and engine == "uno":
        raise PdfConversionError("python3-uno is not available (set QUJAT_UNO_PYTHON)")
    if python is None:
        if engine == "auto":
            _say_fallback_once()
        _convert_in_batches(soffice, paths, targets, workers)
    else:
        with _POOL_LOCK:
            issues = shared_pool(soffice, python).convert(paths, targets, workers)
        if issues:
            raise PdfConversionError("\n".join(issue.render("en") for issue in issues), issues)
    return targets


def _failure_issue(path: Path, detail: str) -> Issue:
    return Issue(location=str(path), key="render.pdf.failed", params={"file": path.name, "detail": detail})


def _failure(path: Path, detail: str) -> PdfConversionError:
    issue = _failure_issue(path, detail)
    return PdfConversionError(issue.render("en"), [issue])


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be a document to convert, or None."""
    if not path.is_file():
        return "the file does not exist"
    if path.suffix.lower() == ".docx" and not zipfile.is_zipfile(path):
        return "not a DOCX file (not a ZIP package)"
    return None


def _place(produced: Path, target: Path) -> None:
    """Move ``produced`` to ``target`` atomically (copy + replace across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(produced, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        atomic_write_bytes(target, produced.read_bytes())


@cache
def _check_fonts_once() -> None:
    """Warn once when Times New Roman has no metric-compatible font with the Kazakh letters."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return
    for family in ("Times New Roman", "Liberation Serif"):
        found = subprocess.run([fc_list, f":family={family}:charset={_KAZAKH_CHARSET}", "file"],
                               check=False, capture_output=True, text=True).stdout
        if found.strip():
            return
    print("qujat: no Times New Roman-compatible font has the Kazakh letters (install fonts-liberation2); "
          "PDFs will use a fallback font and their layout will differ from Word's", file=sys.stderr)


# --- the UNO pool ----------------------------------------------------------------------


class _Office:
    """One soffice with its own profile, and the UNO worker process that drives it."""

    def __init__(self, soffice: str, python: str, name: str) -> None:
        self.soffice, self.python, self.name = soffice, python, name
        self.generation = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[str] | None = None
        self.answers: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.profile: Path | None = None

    @property
    def pid(self) -> int | None:
        """PID (and session id) of the running soffice, None when stopped."""
        return self.process.pid if self.process else None

    def start(self, seconds: float) -> None:
        """Start soffice and its worker; wait until the worker is connected."""
        self.generation += 1
        pipe = f"qujat-{os.getpid()}-{self.name}-{self.generation}"
        self.profile = Path(tempfile.mkdtemp(prefix="qujat-lo-"))
        self.process = subprocess.Popen(
            [self.soffice, f"-env:UserInstallation={(self.profile / 'profile').as_uri()}", "--headless",
             "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             f"--accept=pipe,name={pipe};urp;StarOffice.ServiceManager"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, **_SOFFICE_ENV})
        self.worker = subprocess.Popen(
            [self.python, str(_WORKER_SCRIPT), f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            encoding="utf-8", start_new_session=True, env={**os.environ, "QUJAT_UNO_CONNECT_SECONDS": str(seconds)})
        self.answers = queue.SimpleQueue()
        threading.Thread(target=_read_answers, args=(self.worker.stdout, self.answers), daemon=True).start()
        try:
            ready = self._answer(seconds + 5)
        except _Lost:
            ready = {"error": "no answer"}
        if not ready.get("ready"):
            self.kill()
            issue = Issue(location=self.soffice, key="render.pdf.start",
                          params={"detail": ready.get("error") or "no answer"})
            raise PdfConversionError(issue.render("en"), [issue])

    def convert(self, source: Path, target: Path, seconds: float) -> str | None:
        """Convert one document; the error text, or None. Raises :class:`_Lost` if soffice is gone."""
        if self.worker is None or self.worker.stdin is None:
            raise _Lost("not running")
        try:
            self.worker.stdin.write(json.dumps({"src": str(source), "dst": str(target)}) + "\n")
            self.worker.stdin.flush()
        except OSError as error:
            raise _Lost(f"worker gone ({error.strerror})") from None
        answer = self._answer(seconds)
        if answer.get("ok"):
            return None
        if answer.get("lost"):
            raise _Lost(f"LibreOffice stopped: {answer.get('error')}")
        return str(answer.get("error") or "conversion failed")

    def _answer(self, seconds: float) -> dict[str, Any]:
        try:
            answer = self.answers.get(timeout=seconds)
        except queue.Empty:
            raise _Lost(f"no answer within {seconds:g} s") from None
        if answer is None:
            raise _Lost("LibreOffice stopped")
        return answer

    def close(self) -> None:
        """Ask the worker to quit soffice (end of its input); then make sure both are gone."""
        if self.worker and self.worker.stdin:
            try:
                self.worker.stdin.close()
            except OSError:
                self.worker.stdin = None

    def wait_closed(self, seconds: float = 10) -> None:
        """After :meth:`close`: wait for the worker and soffice to quit, kill what is left."""
        for process in (self.worker, self.process):
            if process:
                try:
                    process.wait(timeout=seconds)
                except subprocess.TimeoutExpired:
                    break
        self.kill()

    def kill(self) -> None:
        """Kill soffice (its whole session) and the worker; remove the profile."""
        if self.process:
            with contextlib.suppress(ProcessLookupError):   # already gone
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None
        if self.worker:
            self.worker.kill()
            self.worker.wait()
            if self.worker.stdin:
                try:
                    self.worker.stdin.close()
                except OSError:
                    self.worker.stdin = None
            self.worker = None
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None


def _read_answers(stream: IO[str], answers: queue.SimpleQueue[dict[str, Any] | None]) -> None:
    """Reader thread: the worker's answers onto ``answers``; None at its end."""
    with stream:
        for line in stream:
            try:
                answers.put(json.loads(line))
            except ValueError:
                continue
    answers.put(None)


class OfficePool:
    """Long-lived soffice processes, one per worker, reused by every conversion."""

    def __init__(self, soffice: str, python: str, *, start_seconds: float = START_SECONDS,
                 document_seconds: float = DOCUMENT_SECONDS) -> None:
        self.soffice, self.python = soffice, python
        self.start_seconds, self.document_seconds = start_seconds, document_seconds
        self.offices: list[_Office] = []
        self.started = 0
        self.owner = os.getpid()
        self._count_lock = threading.Lock()

    @property
    def pids(self) -> list[int | None]:
        """The soffice PIDs, one per office (None: not running)."""
        return [office.pid for office in self.offices]

    def convert(self, paths: list[Path], targets: list[Path], workers: int) -> list[Issue]:
        """Convert ``paths`` to ``targets`` over ``workers`` offices; one issue per failed document."""
        while len(self.offices) < workers:
            self.offices.append(_Office(self.soffice, self.python, str(len(self.offices))))
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in range(len(paths)):
            todo.put(index)
        issues: dict[int, Issue] = {}
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(self._drain, office, todo, paths, targets, issues)
                       for office in self.offices[:workers]]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                while not todo.empty():     # interrupted or failed: workers stop after their document
                    todo.get_nowait()
                raise
        return [issues[index] for index in sorted(issues)]

    def _drain(self, office: _Office, todo: queue.SimpleQueue[int], paths: list[Path],
               targets: list[Path], issues: dict[int, Issue]) -> None:
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            if (problem := _unreadable(paths[index])) or (problem := self._convert(office, paths[index],
                                                                                    targets[index])):
                issues[index] = _failure_issue(paths[index], problem)

    def _convert(self, office: _Office, source: Path, target: Path) -> str | None:
        """Convert one document into ``target`` atomically; the error, or None."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            if error := self._convert_with_retry(office, source, temp):
                return error
            with open(temp, "rb") as handle:
                if handle.read(5) != b"%PDF-":
                    return "LibreOffice wrote no PDF"
                os.fsync(handle.fileno())
            os.replace(temp, target)
            fsync_dir(target.parent)
            return None
        finally:
            temp.unlink(missing_ok=True)

    def _convert_with_retry(self, office: _Office, source: Path, temp: Path) -> str | None:
        """A soffice that crashes or hangs is killed and restarted, and the document retried once."""
        try:
            return self._attempt(office, source, temp)
        except _Lost:
            office.kill()
        try:
            return self._attempt(office, source, temp)
        except _Lost as lost:
            office.kill()
            return f"{lost} (also after restarting LibreOffice)"

    def _attempt(self, office: _Office, source: Path, temp: Path) -> str | None:
        if office.process is None:
            self._start(office)
        return office.convert(source, temp, self.document_seconds)

    def _start(self, office: _Office) -> None:
        """Start ``office``; a start that fails (its pipe not answering, e.g. right after a killed
        soffice) is tried once more with a fresh profile and pipe before the run gives up."""
        try:
            office.start(self.start_seconds)
        except PdfConversionError:
            office.start(self.start_seconds)
        with self._count_lock:
            self.started += 1

    def close(self) -> None:
        """Quit every soffice (gracefully, then by force) and remove the profiles."""
        if os.getpid() != self.owner:
            return
        for office in self.offices:
            office.close()
        for office in self.offices:
            office.wait_closed()
        self.offices = []


_POOL_LOCK = threading.RLock()
_POOL: OfficePool | None = None


def shared_pool(soffice: str | None = None, python: str | None = None) -> OfficePool:
    """The process-wide pool (made on first use, closed at exit; a forked child gets its own)."""
    global _POOL
    with _POOL_LOCK:
        soffice = soffice or find_soffice()
        python = python or find_uno_python()
        if python is None:
            raise PdfConversionError("python3-uno is not available (set QUJAT_UNO_PYTHON)")
        if _POOL is not None and _POOL.owner != os.getpid():
            _POOL = None        # inherited through fork: those processes belong to the parent
        if _POOL is not None and (_POOL.soffice, _POOL.python) != (soffice, python):
            _POOL.close()
            _POOL = None
        if _POOL is None:
            _POOL = OfficePool(soffice, python)
        return _POOL


def close_pool() -> None:
    """Quit the shared pool's soffice processes now (also done at exit)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.close()
            _POOL = None


atexit.register(close_pool)


# --- fallback: one soffice --convert-to per batch ----------------------------------------

_FALLBACK_SAID = threading.Event()


def _say_fallback_once() -> None:
    if not _FALLBACK_SAID.is_set():
        _FALLBACK_SAID.set()
        print("qujat: python3-uno is not available; converting PDFs with one `soffice --convert-to` "
              "per batch instead of the long-lived UNO pool", file=sys.stderr)


def _convert_in_batches(soffice: str, paths: list[Path], targets: list[Path], workers: int) -> None:
    for path in paths:
        if problem := _unreadable(path):
            raise _failure(path, problem)
    batches = [list(range(index, len(paths), workers)) for index in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_convert_batch, soffice, [paths[i] for i in batch], [targets[i] for i in batch])
                   for batch in batches]
        for future in futures:
            future.result()


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
    timeout = START_SECONDS + _BATCH_SECONDS_PER_FILE * len(inputs)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True, env={**os.environ, **_SOFFICE_ENV})
    try:
        _stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise _failure(inputs[0], f"LibreOffice did not finish within {timeout:g} s") from None
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-300:] or f"exit code {process.returncode}"
        raise _failure(inputs[0], detail)
