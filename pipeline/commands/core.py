"""Core commands: ``qujat profiles``, ``qujat init PROFILE DIR``, ``qujat validate INPUT``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import Issue, ProfileError
from pipeline.i18n import chosen_language, message
from pipeline.profile import available_profiles, load_profile

__all__ = ["InputArgument", "LangOption", "register"]

InputArgument = Annotated[Path, typer.Argument(metavar="INPUT", help="evaluation .yaml, .json or .xlsx")]

LangOption = Annotated[str | None, typer.Option("--lang", help="Message language: kk, ru or en "
                                                "(default: from QUJAT_LANG or the locale).")]


def _known_profile(profile_id: str) -> None:
    known = available_profiles()
    if profile_id not in known:
        raise ProfileError(issues=[Issue(location=profile_id, key="profile.unknown",
                                         params={"profile": profile_id, "known": ", ".join(known)})])


def profiles() -> None:
    """List the bundled methodology profiles: organisation, act (kk/ru) and methods."""
    for profile_id in available_profiles():
        profile = load_profile(profile_id)
        act = profile.act
        typer.echo(f"{profile.id}")
        typer.echo(f"  kk: {profile.organisation.name.kk} — {act.kind.kk} № {act.number}, "
                   f"{act.date:%d.%m.%Y} ({act.issuer.kk})")
        typer.echo(f"  ru: {profile.organisation.name.ru} — {act.kind.ru} № {act.number} "
                   f"от {act.date:%d.%m.%Y} ({act.issuer.ru})")
        typer.echo(f"  methods: {', '.join(profile.methods)}; period: {profile.period}")


def init(
    profile_id: Annotated[str, typer.Argument(metavar="PROFILE", help="Profile id (see «qujat profiles»).")],
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Directory for evaluation.xlsx.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing evaluation.xlsx.")] = False,
    lang: LangOption = None,
) -> None:
    """Write DIR/evaluation.xlsx for PROFILE, pre-filled with the profile's example."""
    language = chosen_language(lang)
    _known_profile(profile_id)
    from pipeline.read.workbook import (
        write_workbook,  # openpyxl: imported only for init
    )

    target, employees = write_workbook(load_profile(profile_id), directory, force=force)
    typer.echo(message("input.init_written", language, file=str(target), profile=profile_id,
                       employees=employees))


def validate(
    input_file: InputArgument,
    lang: LangOption = None,
) -> None:
    """Check INPUT: every problem with its file, line or cell, in kk, ru or en. Exit 1 if any."""
    language = chosen_language(lang)
    from pipeline.read import load_evaluation
    from pipeline.read.checks import period_label

    from pipeline.rules.validate import late_actions

    evaluation, source = load_evaluation(input_file)
    typer.echo(message("input.valid", language, file=source.name, profile=evaluation.profile,
                       period=period_label(evaluation.period), employees=len(evaluation.employees)))
    for late in late_actions(evaluation, load_profile(evaluation.profile), source.locate):
        typer.echo(message("input.warning", language, text=late.render(language)), err=True)


def register(app: typer.Typer) -> None:
    """Add ``profiles``, ``init`` and ``validate`` to the root app."""
    app.command("profiles")(profiles)
    app.command("init")(init)
    app.command("validate")(validate)
