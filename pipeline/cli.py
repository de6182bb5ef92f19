"""The ``qujat`` command line: parses, calls the stages, prints. One error boundary."""

from __future__ import annotations

import importlib
import sys

import typer

from pipeline.errors import QujatError, UsageError, UserError
from pipeline.i18n import default_language

__all__ = ["app", "main"]

app = typer.Typer(
    name="qujat",
    help="Civil-servant evaluation paperwork: validate, evaluate, generate, sign, deliver.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module adds its commands to ``app`` with ``register(app)``.
COMMAND_MODULES = (
    "pipeline.commands.core",
    "pipeline.commands.evaluate",
    "pipeline.commands.generate",
    "pipeline.commands.render",
    "pipeline.commands.stamp",
    "pipeline.commands.signing",
    "pipeline.commands.run",
    "pipeline.commands.handoff",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _language_from_argv(argv: list[str]) -> str:
    for index, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
    return default_language()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn known errors into messages and exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = _language_from_argv(args)
    if lang not in ("kk", "ru", "en"):
        lang = "en"
    try:
        # Standalone mode: the CLI framework prints usage errors itself and exits 2.
        app(args=args, prog_name="qujat")
    except UsageError as exc:
        sys.stderr.write(f"qujat: {exc}\n")
        sys.exit(exc.exit_code)
    except UserError as exc:
        sys.stderr.write(exc.render(lang) + "\n")
        sys.exit(exc.exit_code)
    except QujatError as exc:
        sys.stderr.write(f"qujat: {exc}\n")
        sys.exit(3)
