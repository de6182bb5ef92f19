"""From a built wheel (not the source tree): ``qujat init`` pre-fills the example rows and
``qujat templates check`` finds the bundled forms."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.read import load_evaluation

from .kit import ROOT, example

SHIPPED = ("pyproject.toml", "README.md", "pipeline", "signing", "templates_kk", "templates_ru", "examples")


def _sh(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv (seeing this interpreter's packages for the dependencies) with only the qujat wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    for name in SHIPPED:          # build from a copy: no build/ or egg-info in the shared tree
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "-w", str(root / "dist"), "--no-deps", "-q"],
                           cwd=source, capture_output=True, text=True, timeout=600)
    if built.returncode != 0 and "setuptools" in built.stderr and "No matching distribution" in built.stderr:
        pytest.skip("the build backend (setuptools, wheel) cannot be fetched: offline")
    assert built.returncode == 0, built.stderr
    _sh(sys.executable, "-m", "venv", "--system-site-packages", root / "venv", cwd=root)
    wheel = next((root / "dist").glob("qujat-*.whl"))
    _sh(root / "venv" / "bin" / "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=root)
    return root


def test_wheel_is_what_runs(installed):
    python = installed / "venv" / "bin" / "python"
    where = _sh(python, "-c", "import pipeline; print(pipeline.__file__)", cwd=installed).stdout
    assert "site-packages" in where and str(ROOT) not in where


def test_init_from_the_wheel_prefills_the_example(installed):
    python = installed / "venv" / "bin" / "python"
    shipped_example = _sh(python, "-c", "from pipeline.read.workbook import example_path; "
                          "print(example_path('udp-2018').is_file())", cwd=installed).stdout
    assert shipped_example.strip() == "True", "examples/ is not in the wheel (pyproject packages.find include)"
    target = installed / "book"
    _sh(installed / "venv" / "bin" / "qujat", "init", "udp-2018", target, cwd=installed)
    written, _ = load_evaluation(target / "evaluation.xlsx")
    shipped, _ = load_evaluation(example("udp-2018"))
    assert [e.id for e in written.employees] == [e.id for e in shipped.employees]


def test_templates_check_from_the_wheel(installed):
    done = _sh(installed / "venv" / "bin" / "qujat", "templates", "check", cwd=installed)
    assert "0 problems" in done.stdout + done.stderr
