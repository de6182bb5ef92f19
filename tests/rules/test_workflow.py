"""Workflow dates (``Employee.workflow``): each §5.6 step scheduled, checked, and a late one located."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.errors import Issue
from pipeline.i18n import format_issue
from pipeline.model import Workflow
from pipeline.read import load_evaluation
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.deadlines import schedule
from pipeline.rules.evaluate import evaluate
from pipeline.rules.validate import late_actions, validate
from tests.rules.builders import employee, evaluation, profile

D = dt.date
CAL = WorkingCalendar.default()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# (profile, anchor, anchor date, due, on-time done date, late done date, clause)
STEPS = [
    ("udp-2018", "plan_returned", D(2024, 9, 2), D(2024, 9, 4), D(2024, 9, 4), D(2024, 9, 5), "cl. 12 ¶2"),
    ("atyrau-2018", "plan_returned", D(2024, 9, 5), D(2024, 9, 9), D(2024, 9, 9), D(2024, 9, 10), "cl. 12"),
    ("udp-2018", "sheet_returned", D(2024, 9, 2), D(2024, 9, 4), D(2024, 9, 3), D(2024, 9, 5), "cl. 23"),
    ("almaty-2023", "sheet_returned", D(2024, 9, 5), D(2024, 9, 9), D(2024, 9, 9), D(2024, 9, 10), "cl. 54"),
    ("udp-2018", "superior_signed", D(2024, 9, 27), D(2024, 10, 1), D(2024, 10, 1), D(2024, 10, 2), "cl. 24"),
    ("almaty-2023", "superior_signed", D(2024, 9, 27), D(2024, 10, 1), D(2024, 9, 30), D(2024, 10, 2), "cl. 55"),
    ("vssk-2018", "superior_signed", D(2024, 9, 27), D(2024, 10, 1), D(2024, 10, 1), D(2024, 10, 2), "cl. 24"),
    ("vssk-2018", "manager_signed", D(2024, 9, 27), D(2024, 10, 1), D(2024, 10, 1), D(2024, 10, 2), "cl. 28"),
    ("atyrau-2018", "manager_signed", D(2024, 9, 2), D(2024, 9, 4), D(2024, 9, 4), D(2024, 9, 5), "cl. 28"),
    ("alatau-2024", "kpis_approved", D(2024, 9, 16), D(2024, 9, 23), D(2024, 9, 23), D(2024, 9, 24), "cl. 22 ¶3"),
]


def _case(pid: str, anchor: str, on: dt.date, done: dt.date):
    field, done_field = Workflow.STEPS[anchor]
    category = "Е-2" if pid == "alatau-2024" else "B-4"
    person = employee(category=category, workflow={field: on.isoformat(), done_field: done.isoformat()})
    return evaluation(pid, [person], commission_data=pid != "alatau-2024"), done_field


@pytest.mark.parametrize(("pid", "anchor", "on", "due", "in_time", "late", "clause"), STEPS)
def test_each_step_scheduled_and_checked(pid: str, anchor: str, on: dt.date, due: dt.date, in_time: dt.date,
                                         late: dt.date, clause: str) -> None:
    p = profile(pid)
    ev, done_field = _case(pid, anchor, on, in_time)
    items = [d for d in schedule(ev, p, CAL) if d.anchor == anchor]
    assert [(d.anchor_date, d.due, d.employee, d.clause) for d in items] == [(on, due, "e1", clause)]
    assert late_actions(ev, p, calendar=CAL) == []
    findings = [f for f in evaluate(ev, p, CAL).employees[0].findings if f.clause == clause]
    assert [f.rule for f in findings] == ["deadline.on_time"]

    ev, done_field = _case(pid, anchor, on, late)
    issues = late_actions(ev, p, calendar=CAL)
    assert issues == [Issue(location=f"employees[0].workflow.{done_field}", key=f"rules.deadline.late.{anchor}",
                            params={"done": late.isoformat(), "due": due.isoformat(), "anchor": on.isoformat()},
                            value=late.isoformat(), clause=clause)]
    assert not [i for i in validate(ev, p, calendar=CAL) if "workflow" in i.location]    # not blocking
    findings = [f for f in evaluate(ev, p, CAL).employees[0].findings if f.clause == clause]
    assert [f.rule for f in findings] == ["deadline.late"]


def test_a_step_without_its_deadline_in_the_profile_is_not_scheduled() -> None:
    ev, _ = _case("alatau-2024", "plan_returned", D(2024, 9, 2), D(2024, 9, 10))    # alatau has no cl. 12
    assert not [d for d in schedule(ev, profile("alatau-2024"), CAL) if d.anchor == "plan_returned"]
    assert late_actions(ev, profile("alatau-2024"), calendar=CAL) == []


def test_an_anchor_without_a_done_date_is_scheduled_but_not_checked() -> None:
    ev = evaluation("udp-2018", [employee(workflow={"superior_signed_on": "2024-09-27"})])
    assert [d.due for d in schedule(ev, profile("udp-2018"), CAL) if d.anchor == "superior_signed"] == [D(2024, 10, 1)]
    assert not [f for f in evaluate(ev, profile("udp-2018"), CAL).employees[0].findings if f.clause == "cl. 24"]


def test_late_step_located_in_the_yaml_file_in_three_languages(tmp_path: Path) -> None:
    text = (EXAMPLES / "udp-2018" / "evaluation.yaml").read_text(encoding="utf-8")
    on_time = "sheet_to_commission_on: 2025-01-09"
    assert text.count(on_time) == 1
    target = tmp_path / "evaluation.yaml"                     # signed Wed 8 Jan, due Fri 10, done Mon 13
    target.write_text(text.replace(on_time, "sheet_to_commission_on: 2025-01-13"), encoding="utf-8")
    ev, source = load_evaluation(target, CAL)                    # still valid: lateness does not block
    [issue] = late_actions(ev, profile("udp-2018"), source.locate, CAL)
    assert issue.location.startswith("evaluation.yaml")
    assert "employees[0].workflow.sheet_to_commission_on" in issue.location
    assert issue.clause == "cl. 24"
    assert "2025-01-13" in format_issue(issue, "en") and "2025-01-10" in format_issue(issue, "en")
    assert "с опозданием" in format_issue(issue, "ru") and "cl. 24" in format_issue(issue, "ru")
    assert "мерзімі өткен соң" in format_issue(issue, "kk")
    result = evaluate(ev, profile("udp-2018"), CAL)
    assert any(f.rule == "deadline.late" and f.clause == "cl. 24" for f in result.for_employee("e1").findings)


@pytest.mark.parametrize(("pid", "expected"), [
    ("udp-2018", {("plan_resubmission", "2024-01-15", "2024-01-17"),
                  ("kpi_sheet_to_commission", "2025-01-08", "2025-01-10"),
                  ("competency_sheet_to_commission", "2025-01-08", "2025-01-10")}),
    ("alatau-2024", {("plan_into_system", "2025-01-13", "2025-01-20")}),
])
def test_examples_on_time_and_listed_by_evaluate_json(pid: str, expected: set[tuple[str, str, str]]) -> None:
    import typer
    from typer.testing import CliRunner

    from pipeline.commands.evaluate import register

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)            # two commands: typer keeps the subcommand name
    run = CliRunner().invoke(app, ["evaluate", str(EXAMPLES / pid / "evaluation.yaml"), "--json"])
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    steps = {(d["id"], d["anchor_date"], d["due"]) for d in result["schedule"] if d["anchor"] in Workflow.STEPS}
    assert steps == expected
    ev, _ = load_evaluation(EXAMPLES / pid / "evaluation.yaml", CAL)
    assert late_actions(ev, profile(pid), calendar=CAL) == []
