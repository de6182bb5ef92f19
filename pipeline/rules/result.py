"""What the rules engine decides, each item with the clause that decided it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CommissionOutcome",
    "CompetencyOutcome",
    "DeadlineDate",
    "EmployeeResult",
    "EvaluationResult",
    "Finding",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Finding(_Frozen):
    """One rule applied: what was decided and by which clause."""

    rule: str                      # e.g. "grade.kpi_count", "eligibility.min_months"
    clause: str                    # e.g. "cl. 18"
    detail: str = ""               # short English explanation, e.g. "4 of 5 KPIs met"


class CompetencyOutcome(_Frozen):
    competency: str                # profile key
    label_kk: str
    label_ru: str
    assessed: bool                 # False: not assessed (public-services footnote)
    observed: int
    total: int                     # number of effective indicators for the group
    meets: bool | None             # None when not assessed
    unobserved_kk: list[str] = []  # names of the effective indicators not observed (App. 3 col. 4)
    unobserved_ru: list[str] = []


class EmployeeResult(_Frozen):
    employee: str                                  # Employee.id
    status: Literal["evaluated", "not_evaluated", "deferred", "without_participation"]
    method: Literal["kpi", "ranking"] | None = None
    grade: Literal["excellent", "effective", "satisfactory", "unsatisfactory"] | None = None
    grade_kk: str | None = None
    grade_ru: str | None = None
    final_grade: Literal["excellent", "effective", "satisfactory", "unsatisfactory"] | None = None
    final_grade_kk: str | None = None              # after the commission's or calibration's correction
    final_grade_ru: str | None = None
    score: float | None = None                     # scored methods only (0-5)
    kpis_met: int | None = None
    kpis_total: int | None = None
    quarter_scores: dict[int, float] = {}
    competencies: list[CompetencyOutcome] = []
    survey_360: dict[str, float] = {}              # competency key -> mean of respondents
    indicator_group: str | None = None
    evaluate_by: dt.date | None = None             # deferred: within N working days after return
    findings: list[Finding] = []


class CommissionOutcome(_Frozen):
    members: int                                   # voting members (secretary excluded, U2)
    present: int
    quorum: bool
    quorum_needed: int
    findings: list[Finding] = []
    decisions: dict[str, Literal["approve", "review", "no_decision"]] = {}   # employee id -> decision


class DeadlineDate(_Frozen):
    id: str
    label_kk: str
    label_ru: str
    due: dt.date
    anchor: str
    anchor_date: dt.date
    clause: str
    employee: str | None = None


class EvaluationResult(_Frozen):
    profile: str
    employees: list[EmployeeResult]
    commission: CommissionOutcome | None = None
    schedule: list[DeadlineDate] = []

    def for_employee(self, employee_id: str) -> EmployeeResult:
        return next(r for r in self.employees if r.employee == employee_id)
