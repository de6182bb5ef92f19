"""Run the signing commands as ``qujat`` would: ``python cli_runner.py ARGS…``.

An app with only ``pipeline.commands.signing`` and ``pipeline.commands.stamp`` behind the
error boundary of ``pipeline.cli.main`` (same exit codes: usage 2, user error 1, other known
errors 3), so that each call does not import every stage. ``test_run_e2e.py`` runs the real
``python -m pipeline``.
"""

from __future__ import annotations

import sys

import typer


def _main() -> None:
    from pipeline.commands.signing import register as register_signing
    from pipeline.commands.stamp import register as register_stamp
    from pipeline.errors import QujatError, UsageError, UserError

    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    register_signing(app)
    register_stamp(app)
    try:
        app(args=sys.argv[1:], prog_name="qujat")
    except UsageError as exc:
        sys.stderr.write(f"qujat: {exc}\n")
        sys.exit(exc.exit_code)
    except UserError as exc:
        sys.stderr.write(exc.render("en") + "\n")
        sys.exit(exc.exit_code)
    except QujatError as exc:
        sys.stderr.write(f"qujat: {exc}\n")
        sys.exit(3)


if __name__ == "__main__":
    _main()
