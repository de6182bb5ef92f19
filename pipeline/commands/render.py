"""``qujat templates check [DIR]``: lint DOCX templates and their Kazakh/Russian parity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.core import LangOption
from pipeline.i18n import chosen_language, message
from pipeline.render.lint import lint_templates

__all__ = ["register"]


def check(
    directories: Annotated[list[Path] | None, typer.Argument(
        help="Template directories (default: the bundled templates_kk and templates_ru).",
        exists=True, file_okay=False, dir_okay=True)] = None,
    lang: LangOption = None,
) -> None:
    """Load every template, report each problem with file and location; exit 1 if any."""
    language = chosen_language(lang)
    report = lint_templates(directories or [])
    for issue in report.issues:
        typer.echo(issue.render(language))
    typer.echo(message("render.lint.summary", language, checked=report.checked, problems=len(report.issues)),
               err=True)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``templates`` command group to the root app."""
    templates = typer.Typer(help="DOCX form templates.", no_args_is_help=True)
    templates.command("check")(check)
    app.add_typer(templates, name="templates")
