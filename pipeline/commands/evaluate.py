"""``qujat evaluate INPUT``: validate, apply the methodology, print grades, quorum and deadlines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.commands.core import InputArgument, LangOption
from pipeline.i18n import chosen_language, message
from pipeline.profile import load_profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.evaluate import evaluate
from pipeline.rules.result import EvaluationResult

__all__ = ["register", "render_table"]


def _clauses(findings: list) -> str:
    return ", ".join(dict.fromkeys(f.clause for f in findings if f.clause))


def render_table(result: EvaluationResult, lang: str, console: Console) -> None:
    """Employees, the commission's quorum and the schedule, in ``lang``."""
    table = Table(title=message("rules.report.title", lang, profile=result.profile))
    for key in ("employee", "status", "grade"):
        table.add_column(message(f"rules.report.{key}", lang))
    table.add_column("KK")
    table.add_column("RU")
    table.add_column(message("rules.report.score", lang), justify="right")
    table.add_column(message("rules.report.clauses", lang))
    for row in result.employees:
        grade = row.final_grade or row.grade
        status = message(f"rules.status.{row.status}", lang)
        if row.evaluate_by:
            status += f" ≤ {row.evaluate_by.isoformat()}"
        table.add_row(row.employee, status, grade or "—", row.final_grade_kk or "—", row.final_grade_ru or "—",
                      "—" if row.score is None else f"{row.score:.2f}", _clauses(row.findings))
    console.print(table)
    if result.commission is not None:
        c = result.commission
        console.print(message("rules.report.quorum", lang, present=c.present, members=c.members, needed=c.quorum_needed,
                              quorum=message("rules.report.yes" if c.quorum else "rules.report.no", lang)))
    schedule = Table(title=message("rules.report.schedule", lang))
    for key in ("deadline", "due", "anchor", "employee"):
        schedule.add_column(message(f"rules.report.{key}", lang))
    schedule.add_column(message("rules.report.clauses", lang))
    for item in result.schedule:
        label = item.label_ru if lang == "ru" else item.label_kk if lang == "kk" else item.id
        schedule.add_row(label, item.due.isoformat(), f"{item.anchor} {item.anchor_date.isoformat()}",
                         item.employee or "", item.clause)
    console.print(schedule)


def register(app: typer.Typer) -> None:
    """Add ``evaluate`` to the root app."""

    @app.command("evaluate")
    def evaluate_command(
        input_file: InputArgument,
        as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
        lang: LangOption = None,
        calendar: Annotated[Path | None, typer.Option(
            "--calendar", help="extra working days / days off (YAML, like pipeline/data/transfers.yaml)")] = None,
    ) -> None:
        """Validate an evaluation and compute grades, quorum and the schedule of deadlines."""
        from pipeline.read import load_evaluation

        language = chosen_language(lang)
        working = WorkingCalendar.default([calendar] if calendar else [])
        evaluation, _ = load_evaluation(input_file, working)   # validated, rules included
        result = evaluate(evaluation, load_profile(evaluation.profile), working)
        if as_json:
            typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            render_table(result, language, Console())
