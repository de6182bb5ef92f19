"""Template lint and ``qujat templates check``: every problem located; KK/RU parity."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
import typer
from typer.testing import CliRunner

from pipeline.commands.render import register
from pipeline.render.lint import lint_templates

from .builders import row_loop_table


def _save(path: Path, *paragraphs: str, table: bool = False) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        row_loop_table(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    for lang in ("kk", "ru"):
        _save(tmp_path / f"templates_{lang}" / "plan.docx", f"{lang} {{{{ employee }}}}", table=True)
        _save(tmp_path / f"templates_{lang}" / "notice.docx", "{{ period }}")
    return tmp_path


def _cli(*args: str):
    app = typer.Typer()
    register(app)
    app.command("noop", hidden=True)(lambda: None)
    return CliRunner().invoke(app, list(args))


def test_clean_pair_passes(pair: Path) -> None:
    report = lint_templates([pair])
    assert report.checked == 4 and report.ok
    result = _cli("templates", "check", str(pair), "--lang", "en")
    assert result.exit_code == 0, result.output


def test_every_problem_is_reported_with_file_and_location(pair: Path) -> None:
    _save(pair / "templates_kk" / "notice.docx", "ok", "{% if x %}", "{{ y|nope }}")
    _save(pair / "templates_ru" / "plan.docx", "{{ a + }}", table=True)
    report = lint_templates([pair])
    locations = [issue.location for issue in report.issues]
    assert "templates_kk/notice.docx, word/document.xml, paragraph 2" in locations
    assert "templates_kk/notice.docx, word/document.xml, paragraph 3" in locations
    assert "templates_ru/plan.docx, word/document.xml, paragraph 1" in locations
    result = _cli("templates", "check", str(pair), "--lang", "en")
    assert result.exit_code == 1
    assert "nope" in result.output and "{{ a + }}" in result.output


def test_parity_reports_missing_files_and_different_tags(pair: Path) -> None:
    _save(pair / "templates_ru" / "extra.docx", "x")
    _save(pair / "templates_ru" / "notice.docx", "{{ period }} {{ organisation }}")
    report = lint_templates([pair])
    keys = sorted(issue.key for issue in report.issues)
    assert keys == ["render.parity.missing", "render.parity.tags"]
    tags_issue = next(i for i in report.issues if i.key == "render.parity.tags")
    assert tags_issue.params["only_ru"] == "{{ organisation }}"
    assert "extra.docx" in next(i for i in report.issues if i.key == "render.parity.missing").render("ru")


def test_single_directory_is_linted_without_parity(pair: Path) -> None:
    shutil.rmtree(pair / "templates_ru")
    report = lint_templates([pair / "templates_kk"])
    assert report.checked == 2 and report.ok


def test_bundled_templates_pass_when_present() -> None:
    root = Path(__file__).resolve().parents[2]
    if not any(root.glob("templates_kk/*.docx")):
        pytest.skip("no bundled templates yet")
    report = lint_templates()
    assert report.ok, [issue.render("en") for issue in report.issues]
