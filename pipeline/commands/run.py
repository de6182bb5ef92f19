"""``qujat run INPUT --out DIR``: every stage, end to end."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``run`` to the root app."""

    @app.command("run")
    def run_command(
        input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="evaluation .yaml, .json or .xlsx")],
        out: Annotated[Path, typer.Option("--out", help="output folder (appears atomically)")],
        lang: Annotated[str, typer.Option("--lang", help="document languages: kk, ru or kk,ru")] = "kk,ru",
        pdf: Annotated[bool, typer.Option("--pdf", help="also make PDF copies with LibreOffice")] = False,
        jobs: Annotated[int, typer.Option("--jobs", min=1, help="worker processes (default: all cores)")] = (
            os.cpu_count() or 1),
        keys: Annotated[Path | None, typer.Option(
            "--keys", help="folder of signers' .p12 keys with people.json; passwords from "
                           "QUJAT_KEY_PASSWORD[_<NAME>] or a prompt")] = None,
        demo_keys: Annotated[Path | None, typer.Option(
            "--demo-keys", help="make test keys (NOT NCA RK) for the evaluation's people in this folder "
                                "and sign with them")] = None,
        embed: Annotated[bool, typer.Option("--embed", help="sign inside each DOCX (ECMA-376) "
                                            "instead of detached .p7s files")] = False,
        link_base_url: Annotated[str, typer.Option(
            "--link-base-url", envvar="QUJAT_LINK_BASE_URL",
            help="base URL of the document registry for the QR link")] = "https://registry.invalid/documents/",
        deliver_to: Annotated[str | None, typer.Option(
            "--to", help="deliver to file://, webdav(s)://, smtp(s)://, s3:// or https:// after signing")] = None,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing output folder")] = False,
        stamped: Annotated[bool, typer.Option(
            "--stamped/--no-stamped", help="when signing, also write a printable <name>.stamped.docx per "
                                           "signed DOCX (listed as `stamped` in the manifest)")] = True,
        templates: Annotated[Path | None, typer.Option(
            "--templates", help="folder with your own templates_kk/ and templates_ru/ "
                                "(default: the bundled forms)")] = None,
    ) -> None:
        """Validate, evaluate, fill every form, add QR codes, sign and deliver."""
        from pipeline.commands.generate import parse_langs
        from pipeline.errors import UsageError
        from pipeline.run import RunOptions, run

        if keys is not None and demo_keys is not None:
            raise UsageError("give --keys or --demo-keys, not both")
        options = RunOptions(langs=parse_langs(lang), pdf=pdf, jobs=jobs, keys=keys or demo_keys,
                             demo_keys=demo_keys is not None, embed=embed, link_base_url=link_base_url,
                             deliver_to=deliver_to, overwrite=overwrite, progress=sys.stderr.isatty(),
                             templates=templates, stamped=stamped)
        summary = run(input_file, out, options, notify=lambda text: typer.echo(text, err=True))
        typer.echo(f"{summary.documents} documents -> {out} (manifest.json)")
        if options.keys is not None:
            typer.echo(f"{summary.signed} signatures made; {len(summary.unsigned)} required signatures "
                       "still missing" + (": " + "; ".join(summary.unsigned[:5]) if summary.unsigned else ""))
        if summary.delivered is not None:
            typer.echo(f"{summary.delivered} documents delivered to {deliver_to}")
