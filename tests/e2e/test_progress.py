"""``--jobs`` defaults to every core; a Rich progress bar appears only when stderr is a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
import typer

from .kit import ROOT, example


def _run_with_stderr(tmp_path, command: str, terminal: bool) -> str:
    """Run ``qujat COMMAND`` with stderr on a pseudo-terminal or a pipe; return what stderr got."""
    args = [sys.executable, "-m", "pipeline", command, str(example("udp-2018")), "--out",
            str(tmp_path / f"out-{command}-{terminal}"), "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr.decode("utf-8", "replace")
    controller, worker = pty.openpty()
    with subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=worker) as process:
        os.close(worker)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:         # EIO: the child closed its side
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=300)
    os.close(controller)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["run", "generate"])
def test_progress_bar_only_on_a_terminal(tmp_path, command):
    on_terminal = _run_with_stderr(tmp_path, command, terminal=True)
    piped = _run_with_stderr(tmp_path, command, terminal=False)
    assert "rendering" in on_terminal and "━" in on_terminal
    assert "rendering" not in piped and "━" not in piped and "\x1b[" not in piped


@pytest.mark.parametrize("command", ["run", "generate"])
def test_jobs_default_to_all_cores(command):
    from pipeline.cli import app

    click_command = typer.main.get_command(app).commands[command]
    jobs = next(p for p in click_command.params if p.name == "jobs")
    assert jobs.default == (os.cpu_count() or 1)
