"""Evaluate: eligibility, grade, competencies, 360, commission or calibration, schedule of deadlines."""

from __future__ import annotations

import datetime as dt

from pipeline.model import Employee, Evaluation
from pipeline.profile import Profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.commission import calibration_changes_grade, commission_outcome
from pipeline.rules.competencies import assess_competencies
from pipeline.rules.deadlines import (
    check_on_time,
    evaluation_day,
    schedule,
    workflow_steps,
)
from pipeline.rules.eligibility import check_eligibility, is_head
from pipeline.rules.grades import (
    GradeOutcome,
    head_kpi_grade,
    met_count_grade,
    ranking_grade,
)
from pipeline.rules.result import (
    CommissionOutcome,
    DeadlineDate,
    EmployeeResult,
    EvaluationResult,
    Finding,
)
from pipeline.rules.survey360 import survey_means

__all__ = ["evaluate"]


def _grade(employee: Employee, evaluation: Evaluation, profile: Profile) -> tuple[str | None, GradeOutcome | None]:
    kpi = profile.kpi
    if kpi is not None and (not kpi.heads_only or is_head(employee, profile)):
        if kpi.scoring == "met_count":
            return "kpi", met_count_grade(employee.kpis, kpi)
        if profile.score_bands is not None:
            return "kpi", head_kpi_grade(employee.kpis, evaluation.period, kpi, profile.score_bands)
    if profile.ranking is not None and profile.score_bands is not None:
        return "ranking", ranking_grade(employee.ranking, profile.ranking, profile.score_bands)
    return None, None


def _final(employee: Employee, profile: Profile, grade: str | None, decision: str | None,
           ) -> tuple[str | None, list[Finding]]:
    if decision == "review" and employee.decision and employee.decision.corrected_grade:
        clause = profile.commission.correction_clause if profile.commission else ""
        return employee.decision.corrected_grade, [Finding(rule="commission.correction", clause=clause,
                                                           detail=f"{grade} corrected to "
                                                                  f"{employee.decision.corrected_grade}")]
    request = employee.calibration
    if request is not None and profile.calibration is not None and request.held_on is not None:
        changed, finding = calibration_changes_grade(request, profile.calibration)
        return (request.proposed_grade if changed else grade), [finding]
    return grade, []


def _deadline_findings(employee: Employee, deadlines: list[DeadlineDate]) -> list[Finding]:
    acquainted = employee.acquaintance.on if employee.acquaintance else None
    findings = [check_on_time(acquainted, d) for d in deadlines if acquainted and d.anchor == "completion"]
    return findings + [check_on_time(done, d) for d, _field, done in workflow_steps(employee, deadlines)]


def _employee(employee: Employee, evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar,
              day: dt.date, decision: str | None, decision_findings: list[Finding],
              deadlines: list[DeadlineDate]) -> EmployeeResult:
    eligibility = check_eligibility(employee, evaluation.period, profile, calendar, day)
    findings = list(eligibility.findings)
    base = {"employee": employee.id, "status": eligibility.status, "evaluate_by": eligibility.evaluate_by}
    if eligibility.status == "not_evaluated":
        return EmployeeResult(**base, findings=findings)
    method, outcome = _grade(employee, evaluation, profile)
    grade = outcome.grade if outcome else None
    if outcome:
        findings += outcome.findings
    final, final_findings = _final(employee, profile, grade, decision)
    findings += decision_findings + final_findings + _deadline_findings(employee, deadlines)
    group = None
    competencies = []
    if profile.competencies is not None:
        group, competencies, competency_findings = assess_competencies(employee, profile.competencies)
        findings += competency_findings
    means: dict[str, float] = {}
    if profile.survey_360 is not None and employee.survey_360 is not None:
        values, survey_findings = survey_means(employee.survey_360, profile.survey_360)
        means = {k: float(v) for k, v in values.items()}
        findings += survey_findings
    label = profile.grade(grade).label if grade else None
    final_label = profile.grade(final).label if final else None
    return EmployeeResult(
        **base, method=method, grade=grade, grade_kk=label.kk if label else None,
        grade_ru=label.ru if label else None, final_grade=final,
        final_grade_kk=final_label.kk if final_label else None, final_grade_ru=final_label.ru if final_label else None,
        score=float(outcome.score) if outcome and outcome.score is not None else None,
        kpis_met=outcome.kpis_met if outcome else None, kpis_total=outcome.kpis_total if outcome else None,
        quarter_scores={q: float(s) for q, s in outcome.quarter_scores.items()} if outcome else {},
        competencies=competencies, survey_360=means, indicator_group=group.id if group else None,
        findings=findings)


def _commission(evaluation: Evaluation, profile: Profile, deadlines: list[DeadlineDate],
                ) -> tuple[CommissionOutcome | None, dict[str, list[Finding]]]:
    commission, rule = evaluation.commission, profile.commission
    if commission is None or rule is None:
        return None, {}
    decisions = {e.id: e.decision for e in evaluation.employees if e.decision is not None}
    outcome, per_employee = commission_outcome(commission, decisions, rule)
    notified = commission.notified_evaluators_on
    late = [check_on_time(notified, d) for d in deadlines if notified and d.anchor == "sitting"]
    if late:
        outcome = outcome.model_copy(update={"findings": [*outcome.findings, *late]})
    return outcome, per_employee


def evaluate(evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar | None = None) -> EvaluationResult:
    """Compute every employee's result, the commission outcome and the schedule of deadlines.

    The input is assumed valid (:func:`pipeline.rules.validate.validate` returned no issue).
    """
    calendar = calendar or WorkingCalendar.default()
    deadlines = schedule(evaluation, profile, calendar)
    day = evaluation_day(evaluation, profile, calendar)
    outcome, per_employee = _commission(evaluation, profile, deadlines)
    decisions = outcome.decisions if outcome else {}
    employees = [_employee(e, evaluation, profile, calendar, day, decisions.get(e.id), per_employee.get(e.id, []),
                           deadlines)
                 for e in evaluation.employees]
    return EvaluationResult(profile=profile.id, employees=employees, commission=outcome, schedule=deadlines)
