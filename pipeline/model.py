"""The evaluation input: one organisation, one period, one commission, its employees.

The same model is read from YAML, JSON and the secretary's XLSX workbook. Field names are
English; human text (names, positions, KPI wording) is kept as typed, in the language the
secretary wrote it (``*_kk`` / ``*_ru`` where a form needs both).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Absence",
    "Acquaintance",
    "CalibrationRequest",
    "Commission",
    "CommissionDecision",
    "CompetencyAssessment",
    "Employee",
    "Evaluation",
    "Kpi",
    "Member",
    "OrganisationInfo",
    "Period",
    "Person",
    "RankingQuarter",
    "Respondent360",
    "Sitting",
    "Survey360",
    "Workflow",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Person(_Model):
    """Someone who signs or is named on a form."""

    id: str = Field(min_length=1)
    full_name: str = Field(min_length=1)            # "Сейітқали Айгүл Маратқызы"
    iin: str | None = Field(default=None, pattern=r"^\d{12}$")
    position_kk: str = ""
    position_ru: str = ""
    email: str | None = None


class OrganisationInfo(_Model):
    name_kk: str
    name_ru: str
    bin: str | None = Field(default=None, pattern=r"^\d{12}$")
    city_kk: str = ""
    city_ru: str = ""


class Period(_Model):
    """The evaluated period: a calendar year (2018 schemes, U17) or one quarter of it."""

    year: int = Field(ge=2015, le=2100)
    quarter: int | None = Field(default=None, ge=1, le=4)

    @property
    def start(self) -> dt.date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)


class Member(Person):
    role: Literal["chair", "member", "secretary"]


class Vote(_Model):
    member: str                                     # Member.id
    choice: Literal["approve", "review"]


class CommissionDecision(_Model):
    """The commission's decision on one employee (cl. 37-38)."""

    votes: list[Vote] = []
    corrected_grade: Literal["excellent", "effective", "satisfactory", "unsatisfactory"] | None = None
    correction_note: str = ""                       # column "corrected by the commission"
    recommendation: str = ""                        # column "recommendations of the commission"


class Sitting(_Model):
    date: dt.date
    place: str = ""
    present: list[str]                              # Member.id of those present (secretary included or not)
    secret_ballot: bool = False                     # must stay False: open vote (cl. 32)
    conclusion: str = ""                            # "Комиссия қорытындысы"


class Commission(_Model):
    order_number: str = ""                          # the order setting it up (cl. 5)
    order_date: dt.date | None = None
    members: list[Member]
    sitting: Sitting | None = None
    notified_evaluators_on: dt.date | None = None   # cl. 29 / 56
    completed_on: dt.date | None = None             # approval by the authorised person (U5)
    approved_by: Person | None = None               # the authorised person (cl. 39)


class Kpi(_Model):
    title: str = Field(min_length=1)
    source: str = ""                                # which strategic indicator it derives from (App. 1 col. 3)
    unit: str = ""
    planned: float | str = ""
    actual: float | str | None = None
    due: str = ""                                   # "Қол жеткізу мерзімдері"
    key_result: str = ""                            # "Түйінді нәтиже"
    met: bool | None = None                         # 2018/2023 schemes: achieved in full
    score: float | None = None                      # 2024 scheme: 0-5 per KPI (per quarter: quarter_scores)
    quarter_scores: dict[int, float] = {}           # alatau: quarter -> 0-5
    is_process_work: bool = False                   # cl. 2(5): process work is not a KPI


class CompetencyAssessment(_Model):
    competency: str                                 # key from the profile
    observed: list[int]                             # 1-based indexes of effective indicators observed


class RankingQuarter(_Model):
    quarter: int = Field(ge=1, le=4)
    scores: dict[str, float]                        # parameter key -> 0-5
    evaluated: bool = True                          # False: not evaluated that quarter (cl. 5)


class Respondent360(_Model):
    relation: Literal["direct_manager", "subordinate", "peer"]
    scores: dict[str, float]                        # competency key -> score


class Survey360(_Model):
    self_assessment: dict[str, float] = {}
    respondents: list[Respondent360] = []           # anonymous: no names, ever


class Absence(_Model):
    kind: Literal["annual_leave", "unpaid_leave", "social_leave", "sick_leave",
                  "business_trip", "internship", "training"]
    start: dt.date
    end: dt.date | None = None                      # None: still absent


class Acquaintance(_Model):
    on: dt.date | None = None                       # the day the employee was acquainted
    refused: bool = False
    witnesses: list[Person] = []                    # refusal act: HR + two other employees (cl. 41)
    channel: str | None = None                      # how results were sent after a refusal


class CalibrationRequest(_Model):
    applied_on: dt.date
    participants: list[Person] = []
    held_on: dt.date | None = None
    votes_for_change: int = 0
    votes_against_change: int = 0
    proposed_grade: Literal["excellent", "effective", "satisfactory", "unsatisfactory"] | None = None
    protocol_signed_on: dt.date | None = None


class Workflow(_Model):
    """Dates of the paperwork steps the methodology sets a deadline for, each with the day it was done."""

    plan_returned_on: dt.date | None = None                   # work plan returned for correction (cl. 12)
    plan_resubmitted_on: dt.date | None = None                # ... and resubmitted (≤ 2 wd)
    sheet_returned_on: dt.date | None = None                  # KPI sheet returned for correction (cl. 23 / 54)
    sheet_resubmitted_on: dt.date | None = None               # ... and resubmitted (≤ 2 wd)
    superior_signed_on: dt.date | None = None                 # KPI sheet signed by the superior (cl. 24 / 55)
    sheet_to_commission_on: dt.date | None = None             # ... and put before the commission (≤ 2 wd)
    manager_signed_on: dt.date | None = None                  # competency sheet signed by the manager (cl. 28)
    competency_sheet_to_commission_on: dt.date | None = None  # ... and put before the commission (≤ 2 wd)
    kpis_approved_on: dt.date | None = None                   # KPIs set or approved (alatau cl. 22 ¶3)
    plan_in_is_on: dt.date | None = None                      # ... and the plan posted in the IS (≤ 5 wd)

    # deadline anchor -> (the field with the anchor date, the field with the day the step was done)
    STEPS: ClassVar[dict[str, tuple[str, str]]] = {
        "plan_returned": ("plan_returned_on", "plan_resubmitted_on"),
        "sheet_returned": ("sheet_returned_on", "sheet_resubmitted_on"),
        "superior_signed": ("superior_signed_on", "sheet_to_commission_on"),
        "manager_signed": ("manager_signed_on", "competency_sheet_to_commission_on"),
        "kpis_approved": ("kpis_approved_on", "plan_in_is_on"),
    }


class Employee(Person):
    unit_kk: str = ""
    unit_ru: str = ""
    category: str                                   # as typed: "B-4", "Е-2" (Cyrillic is normalised)
    is_head_of_unit: bool = False
    delivers_public_services: bool = True           # atyrau App. 3 footnote (U23)
    appointed_on: dt.date
    probation: bool = False
    returned_from_social_leave_on: dt.date | None = None
    dismissed_on: dt.date | None = None
    absences: list[Absence] = []
    direct_manager: Person
    superior: Person | None = None
    manager_is_first_head: bool = False             # cl. 11: the first head approves
    kpis: list[Kpi] = []
    competencies: list[CompetencyAssessment] = []
    ranking: list[RankingQuarter] = []
    survey_360: Survey360 | None = None
    decision: CommissionDecision | None = None
    acquaintance: Acquaintance | None = None
    calibration: CalibrationRequest | None = None
    workflow: Workflow | None = None


class Evaluation(_Model):
    """One evaluation: the root of every input file."""

    profile: str
    organisation: OrganisationInfo
    period: Period
    hr: Person                                      # the HR service officer (drafts, notifies)
    commission: Commission | None = None
    employees: list[Employee] = Field(min_length=1)
