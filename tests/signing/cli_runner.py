"""Run the signing commands as ``qujat`` would: ``python cli_runner.py ARGS…``.

Uses ``pipeline.cli.main`` when the root app already registers ``pipeline.commands.signing``;
until then, an app with only these commands behind the same error boundary.
"""

from __future__ import annotations

import sys

import typer


def _main() -> None:
    try:
        from pipeline import cli
    except ImportError:
        cli = None
    if cli is not None and "pipeline.commands.signing" in cli.COMMAND_MODULES:
        cli.main()
        return
    from pipeline.commands.signing import register
    from pipeline.errors import QujatError, UserError

    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    register(app)
    try:
        code = app(args=sys.argv[1:], prog_name="qujat", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except UserError as exc:
        sys.stderr.write(exc.render("en") + "\n")
        sys.exit(exc.exit_code)
    except QujatError as exc:
        sys.stderr.write(f"qujat: {exc}\n")
        sys.exit(3)
    sys.exit(code or 0)


if __name__ == "__main__":
    _main()
