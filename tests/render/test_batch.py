"""render_batch: worker processes, atomic output directory, hashes of what was written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.errors import TemplateError
from pipeline.render.batch import RenderJob, render_batch

from .builders import row_loop_table


@pytest.fixture
def template(make_template) -> Path:
    def fill(document):
        document.add_paragraph("Аты {{ name }}")
        row_loop_table(document)
    return make_template("batch.docx", fill)


def _jobs(template: Path, count: int) -> list[RenderJob]:
    return [RenderJob(template, {"name": f"N{i}", "rows": [{"name": "x", "score": i}], "total": i},
                      f"dept{i % 3}/doc{i}.docx") for i in range(count)]


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_writes_every_document_with_hashes(template: Path, tmp_path: Path, workers: int) -> None:
    out = tmp_path / "out"
    results = render_batch(_jobs(template, 70), out, jobs=workers, progress=False)
    assert [r.relpath for r in results] == [f"dept{i % 3}/doc{i}.docx" for i in range(70)]
    template_digest = hashlib.sha256(template.read_bytes()).hexdigest()
    for result in results:
        data = (out / result.relpath).read_bytes()
        assert hashlib.sha256(data).hexdigest() == result.sha256
        assert result.template_sha256 == template_digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.docx", "out"]


def test_failed_batch_leaves_previous_output_untouched(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_batch(_jobs(template, 3), out, jobs=1, progress=False)
    before = sorted(p.relative_to(out) for p in out.rglob("*.docx"))
    jobs = _jobs(template, 40) + [RenderJob(template, {"name": "no rows"}, "bad.docx")]
    with pytest.raises(TemplateError) as caught:
        render_batch(jobs, out, jobs=2, progress=False)
    assert "bad.docx" in caught.value.render("en") and "'rows' is undefined" in caught.value.render("en")
    assert sorted(p.relative_to(out) for p in out.rglob("*.docx")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.docx", "out"]


def test_existing_directory_is_replaced_atomically(template: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_batch(_jobs(template, 5), out, jobs=1, progress=False)
    render_batch(_jobs(template, 2), out, jobs=1, progress=False)
    assert len(list(out.rglob("*.docx"))) == 2
    with pytest.raises(FileExistsError):
        render_batch(_jobs(template, 1), out, jobs=1, progress=False, replace=False)


@pytest.mark.parametrize("relpath", ["../escape.docx", "/abs.docx", "plain.txt"])
def test_unsafe_output_paths_are_refused(template: Path, tmp_path: Path, relpath: str) -> None:
    with pytest.raises(ValueError):
        render_batch([RenderJob(template, {}, relpath)], tmp_path / "out", jobs=1, progress=False)
    assert not (tmp_path / "out").exists()


def test_duplicate_output_paths_are_refused(template: Path, tmp_path: Path) -> None:
    jobs = _jobs(template, 2)
    with pytest.raises(ValueError, match="twice"):
        render_batch([jobs[0], jobs[0]], tmp_path / "out", jobs=1, progress=False)
