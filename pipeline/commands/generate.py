"""``qujat generate INPUT --out DIR``: validate, evaluate, fill every applicable form (KK/RU)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.commands.core import InputArgument
from pipeline.errors import UsageError
from pipeline.profile import load_profile

__all__ = ["ALL_CORES", "DocumentLangsOption", "JobsOption", "TemplatesOption", "parse_langs", "register"]

ALL_CORES = os.cpu_count() or 1

# Options shared by ``generate`` and ``run``.
DocumentLangsOption = Annotated[str, typer.Option("--lang", help="document languages: kk, ru or kk,ru")]
JobsOption = Annotated[int, typer.Option("--jobs", min=1, help="worker processes (default: all cores)")]
TemplatesOption = Annotated[Path | None, typer.Option(
    "--templates", help="folder with your own templates_kk/ and templates_ru/ (default: the bundled forms)")]


def parse_langs(text: str) -> tuple[str, ...]:
    """``kk,ru`` -> ``("kk", "ru")``; anything but kk and ru is a usage error."""
    langs = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    from pipeline.forms.generate import LANGS

    if not langs or any(lang not in LANGS for lang in langs):
        raise UsageError(f"--lang takes kk, ru or kk,ru (got {text!r})")
    return langs


def register(app: typer.Typer) -> None:
    """Add ``generate`` to the root app."""

    @app.command("generate")
    def generate_command(
        input_file: InputArgument,
        out: Annotated[Path, typer.Option("--out", help="output directory (created atomically)")],
        lang: DocumentLangsOption = "kk,ru",
        pdf: Annotated[bool, typer.Option("--pdf", help="also convert every DOCX to PDF (LibreOffice)")] = False,
        jobs: JobsOption = ALL_CORES,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing output directory")] = False,
        templates: TemplatesOption = None,
    ) -> None:
        """Fill the forms of every employee and of the commission, with a manifest."""
        from pipeline.read import load_evaluation
        from pipeline.render.pdf import find_soffice
        from pipeline.rules.evaluate import evaluate
        from pipeline.run import check_output_folder, write_failed

        langs = parse_langs(lang)
        check_output_folder(out, overwrite)
        if pdf:
            find_soffice()
        evaluation, _ = load_evaluation(input_file)   # validated, rules included
        profile = load_profile(evaluation.profile)
        result = evaluate(evaluation, profile)
        try:
            from pipeline.forms.generate import TEMPLATES_ROOT, generate

            entries = generate(evaluation, profile, result, out, langs=langs, pdf=pdf, jobs=jobs, replace=overwrite,
                               templates_root=templates or TEMPLATES_ROOT, progress=sys.stderr.isatty())
        except OSError as exc:      # disk full, no permission, a file where a folder should be
            raise write_failed(exc, out) from None
        typer.echo(f"{len(entries)} documents -> {out} (manifest.json)")
