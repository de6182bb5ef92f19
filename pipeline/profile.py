"""Methodology profiles: one organisation's evaluation methodology, as data.

A profile is a YAML file in ``pipeline/profiles/``. It may ``extends:`` another (a base
shared by several organisations); mappings merge key by key, lists replace. Every rule
carries the clause of the regulation it comes from, so that each computed result can say
which clause decided it. Where the regulation is ambiguous (``../shared/domain/rules.md``
§4), the reading is a named setting here with the suggested default, never a branch in code.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from pipeline.errors import Issue, ProfileError

__all__ = [
    "DEADLINE_ANCHORS",
    "GRADE_IDS",
    "Profile",
    "available_profiles",
    "load_profile",
    "normalise_category",
]

GRADE_IDS = ("excellent", "effective", "satisfactory", "unsatisfactory")
GradeId = Literal["excellent", "effective", "satisfactory", "unsatisfactory"]
Method = Literal["kpi", "competencies", "ranking", "survey_360", "calibration"]
Role = Literal[
    "employee", "direct_manager", "superior", "first_head", "authorised_person",
    "commission_chair", "commission_member", "commission_secretary", "hr", "witness",
    "evaluator", "calibration_participant",
]


DEADLINE_ANCHORS = (
    "period_start", "period_end", "quarter_end", "year_end", "appointment", "plan_returned",
    "sheet_returned", "superior_signed", "manager_signed", "sitting", "completion", "decision",
    "acquaintance", "return_to_work", "calibration_application", "calibration_protocol_signed",
    "kpis_approved", "last_evaluation_day",
)

# Cyrillic capitals the seeds print in category codes where a Latin one is meant (E8), and
# dashes (hyphen, non-breaking hyphen, figure, en and em dash, minus sign).
_CATEGORY_FOLD = str.maketrans({
    "А": "A", "В": "B", "С": "C", "Е": "E", "Д": "D", "Р": "R", "Г": "G",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})
_LETTER_THEN_DIGIT = re.compile(r"(?<=[A-Z])(?=\d)")


def normalise_category(code: str) -> str:
    """ASCII key of a category code as typed or printed.

    ``"В–1"`` (Cyrillic В, en dash), ``"b-1 "`` and ``"B1"`` -> ``"B-1"``; ``"е-р—2"`` -> ``"E-R-2"``.
    """
    key = "".join(code.upper().translate(_CATEGORY_FOLD).split())
    return _LETTER_THEN_DIGIT.sub("-", key)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """The same wording in Kazakh and Russian.

    ``kk`` is what is printed. Where the seed's string differs from it (OCR damage, E6; a
    source error read otherwise, E1-E5), ``kk_source`` keeps the seed's string verbatim, for
    citations and the seed check; otherwise ``kk`` itself is the verbatim quote.
    """

    kk: str
    kk_source: str | None = None
    ru: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    @property
    def kk_verbatim(self) -> str:
        """The Kazakh as the seed prints it (``kk_source`` when given, else ``kk``)."""
        return self.kk_source if self.kk_source is not None else self.kk


class Act(_Model):
    """The normative act that approves (or amends) the methodology."""

    kind: Text                      # бұйрық / приказ, шешім / решение ...
    number: str
    date: dt.date
    issuer: Text
    registration: Text | None = None
    seed: str | None = None         # file name in ../shared/seeds
    methodology_title: Text         # "... бағалау әдістемесіне" / "... к Методике оценки ..."


class Organisation(_Model):
    name: Text
    hr_body: Text                   # who acts as the HR service (cl. 5, C9)
    clause: str


class Grade(_Model):
    id: GradeId
    label: Text                     # the canonical wording of the grade
    clause: str


class KpiThreshold(_Model):
    grade: GradeId
    min_met: int


class ScoreBand(_Model):
    grade: GradeId
    min: float
    max: float


class KpiRule(_Model):
    """How KPIs are set and scored."""

    min_count: int
    max_count: int
    count_clause: str
    scoring: Literal["met_count", "score"]
    scoring_clause: str
    thresholds: list[KpiThreshold] = []         # for met_count: highest grade first
    full_achievement_only: bool = True          # a KPI at 99.9 % is not met
    score_min: float = 0
    score_max: float = 5
    aggregation: Literal["mean"] = "mean"       # per-KPI scores -> a head's score (U10)
    heads_only: bool = False                    # alatau cl. 21: KPIs only for heads
    no_kpi_if_months_left_below: int | None = None   # alatau cl. 22 ¶4 (C11)
    no_kpi_clause: str | None = None
    # the period KPIs are set for when it differs from the evaluated ``Profile.period``:
    # alatau scores KPIs quarterly but sets them for the year (U11)
    plan_period: Literal["year", "quarter"] | None = None


class ScoreBands(_Model):
    bands: list[ScoreBand]
    reading: Literal["half_open", "round_2dp"] = "half_open"   # U9
    clause: str


class Indicators(_Model):
    effective: list[Text]
    ineffective: list[Text] = []


class Competency(_Model):
    key: str
    label: Text                     # App. 3 spelling (C4, C5)
    public_services_only: bool = False


class IndicatorGroup(_Model):
    id: str
    label: str                      # group label of App. 4 as printed (reviewed spelling)
    label_source: str | None = None   # the seed's string when ``label`` corrects it (E6)
    categories: list[str]           # normalised ASCII keys, e.g. "B-1", "E-R-2"
    head_of_unit: bool | None = None   # None: any; True/False: only heads / non-heads (U21)
    # the categories ``head_of_unit`` restricts; empty: all of ``categories``. A category
    # printed in two groups (udp B-4, atyrau E-3/E-G-2) or only as a head (vssk B-2) is
    # listed here, so the group follows from (category, is_head_of_unit) (U21, U22).
    head_of_unit_categories: list[str] = []
    indicators: dict[str, Indicators]  # competency key -> indicators

    @property
    def label_verbatim(self) -> str:
        """The group label as the seed prints it."""
        return self.label_source if self.label_source is not None else self.label

    def applies_to(self, category: str, is_head_of_unit: bool) -> bool:
        """Whether an employee of ``category`` (heading a unit or not) uses this group."""
        key = normalise_category(category)
        if key not in self.categories:
            return False
        if self.head_of_unit is None:
            return True
        if self.head_of_unit_categories and key not in self.head_of_unit_categories:
            return True
        return self.head_of_unit == is_head_of_unit


class CompetencyRule(_Model):
    competencies: list[Competency]  # in App. 3 order
    groups: list[IndicatorGroup]
    threshold_numerator: int = 3    # cl. 27: 3/4 or more observed (U8)
    threshold_denominator: int = 4
    max_indicators: int = 10        # cl. 26
    clause: str
    max_indicators_clause: str
    public_services_clause: str | None = None
    # categories of the profile for which App. 4 has no indicators: a data error, never a
    # guessed group (U22)
    no_indicator_categories: list[str] = []
    no_indicator_clause: str | None = None

    def group_for(self, category: str, is_head_of_unit: bool) -> IndicatorGroup | None:
        """The App. 4 group for an employee; ``None`` when App. 4 has none (U22)."""
        return next((g for g in self.groups if g.applies_to(category, is_head_of_unit)), None)

    @model_validator(mode="after")
    def _indicators_known(self) -> CompetencyRule:
        keys = {c.key for c in self.competencies}
        for group in self.groups:
            unknown = set(group.indicators) - keys
            if unknown:
                raise ValueError(f"group {group.id}: unknown competency keys {sorted(unknown)}")
            for key, ind in group.indicators.items():
                if len(ind.effective) > self.max_indicators:
                    raise ValueError(f"group {group.id}, {key}: {len(ind.effective)} effective "
                                     f"indicators, at most {self.max_indicators} "
                                     f"({self.max_indicators_clause})")
        return self


class RankingParameter(_Model):
    key: str
    label: Text


class RankingRule(_Model):
    parameters: list[RankingParameter]
    score_min: float = 0
    score_max: float = 5
    quarterly_aggregation: Literal["mean"] = "mean"   # U10
    annual_aggregation: Literal["mean_of_quarters"] = "mean_of_quarters"
    co_evaluators_above_staff: int = 50               # cl. 31
    clause: str


class Survey360Rule(_Model):
    min_respondents: int = 3
    max_respondents: int = 7
    self_assessment_counted: bool = False
    head_competencies: list[Competency]
    staff_competencies: list[Competency]
    score_min: float = 0
    score_max: float = 5
    affects_grade: bool = False     # cl. 9, U10
    clause: str


class CommissionRule(_Model):
    min_members: int | None         # None: the text states no minimum (X7)
    min_members_clause: str | None = None
    quorum_numerator: int = 2
    quorum_denominator: int = 3
    quorum_clause: str
    secretary_counts_for_quorum: bool = False        # U2
    open_vote: bool = True
    open_vote_clause: str
    voting_base: Literal["votes_cast", "all_members"] = "votes_cast"   # U1
    majority_clause: str
    casting_vote: Literal["chair"] = "chair"
    tie_without_chair: Literal["repeat_sitting"] = "repeat_sitting"    # U3
    secretary_votes: bool = False
    secretary_clause: str
    membership_change_needs_order: bool = True
    membership_change_clause: str | None = None
    decisions_clause: str
    correction_clause: str


class CalibrationRule(_Model):
    voting: Literal["majority_of_participants"] = "majority_of_participants"
    tie: Literal["status_quo"] = "status_quo"        # U13
    clause: str
    on_application_only: bool = True                 # C13: sessions start from an application
    correction_both_ways: bool = True                # cl. 41: up or down


class EligibilityRule(_Model):
    min_months_in_post: int
    months_reference: Literal["period_end", "sitting_date"] = "period_end"   # U7
    months_within_period: bool = False   # 2023+: time served within the evaluated period
    restart_after_social_leave: bool = False
    probation_excluded: bool = False
    absence_mode: Literal["deferred", "without_participation"]
    absence_deferral_working_days: int | None = None
    dismissed_evaluated_without_participation: bool = False
    clause: str
    absence_clause: str
    dismissed_clause: str | None = None


DeadlineKind = Literal[
    "working_days_after",       # N working days after the anchor (anchor day excluded)
    "working_days_before",      # no later than N working days before the anchor (U4)
    "day_of_next_month",        # calendar: the Nth of the month after the anchor
    "calendar_date",            # calendar: a fixed month-day in the anchor's year
]


class Deadline(_Model):
    id: str
    label: Text
    kind: DeadlineKind
    days: int | None = None       # working days, for working_days_*
    day: int | None = None        # day of month, for day_of_next_month
    month_day: str | None = None  # "12-25", for calendar_date
    anchor: str                   # event id, one of DEADLINE_ANCHORS
    clause: str
    enforced: bool = True         # False: shown for information, not checked (U19)

    @model_validator(mode="after")
    def _complete(self) -> Deadline:
        if self.anchor not in DEADLINE_ANCHORS:
            raise ValueError(f"deadline {self.id}: unknown anchor {self.anchor!r}")
        needed = {"working_days_after": "days", "working_days_before": "days",
                  "day_of_next_month": "day", "calendar_date": "month_day"}[self.kind]
        if getattr(self, needed) is None:
            raise ValueError(f"deadline {self.id}: kind {self.kind} needs {needed!r}")
        return self


class Notification(_Model):
    acquaintance_channels: list[str]
    acquaintance_clause: str
    refusal_channels: list[str] = []
    refusal_clause: str | None = None
    refusal_act_witnesses: int | None = None     # "басқа екі қызметшісімен"
    refusal_act_clause: str | None = None
    refusal_no_obstacle_clause: str | None = None   # C10: atyrau has none
    # registered channels with proof of delivery (almaty cl. 12 ¶2, 68; alatau cl. 11 ¶2)
    registered_channels: list[str] = []
    registered_channels_clause: str | None = None
    # whom they serve: everyone evaluated without participation (X3/X4 reading) or only the
    # group the clause literally names (strict mode)
    registered_scope: Literal["without_participation", "literal"] = "without_participation"


class Retention(_Model):
    years: int
    clause: str


class Signer(_Model):
    role: Role
    label: Text                     # the form's wording, e.g. "Жоғары тұрған басшы"
    approves: bool = False          # the БЕКІТЕМІН / УТВЕРЖДАЮ block
    clause: str | None = None


class DocumentSpec(_Model):
    form: str                       # template file stem in templates_kk/ and templates_ru/
    title: Text
    appendix: str | None = None     # "1" for "1-қосымша" / "Приложение 1"
    scope: Literal["employee", "commission", "calibration"] = "employee"
    method: Method | None = None    # produced only for employees evaluated by this method
    when: Literal["always", "refused", "calibration_requested"] = "always"
    signers: list[Signer]
    clause: str
    provisional: bool = False       # layout not in the seed: built from the text / sister act


class Profile(_Model):
    """One organisation's methodology."""

    id: str
    organisation: Organisation
    act: Act
    methods: list[Method]
    methods_clause: str
    period: Literal["year", "quarter"]
    period_clause: str
    categories: list[str]           # normalised ASCII category keys
    head_categories: list[str] = []   # categories that are heads of unit/body (alatau Е-2)
    grades: list[Grade]
    kpi: KpiRule | None = None
    score_bands: ScoreBands | None = None
    competencies: CompetencyRule | None = None
    ranking: RankingRule | None = None
    survey_360: Survey360Rule | None = None
    commission: CommissionRule | None = None
    calibration: CalibrationRule | None = None
    eligibility: EligibilityRule
    deadlines: list[Deadline]
    notification: Notification
    retention: Retention
    confidential: bool = False
    confidentiality_clause: str | None = None
    # who may see an employee's results when they are confidential (alatau cl. 20)
    access_roles: list[Role] = []
    access_clause: str | None = None
    documents: list[DocumentSpec]
    notes: list[str] = []           # readings chosen for ambiguities (ids from rules.md §4)

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        grade_ids = {g.id for g in self.grades}
        if grade_ids != set(GRADE_IDS):
            raise ValueError(f"grades must be exactly {GRADE_IDS}, got {sorted(grade_ids)}")
        for method, rule in (("kpi", self.kpi), ("competencies", self.competencies),
                             ("ranking", self.ranking), ("survey_360", self.survey_360),
                             ("calibration", self.calibration)):
            if (method in self.methods) != (rule is not None):
                raise ValueError(f"method {method!r} listed in methods must have its rule block and vice versa")
        if self.commission is None and self.calibration is None:
            raise ValueError("a profile needs a commission or a calibration rule")
        return self

    def grade(self, grade_id: str) -> Grade:
        return next(g for g in self.grades if g.id == grade_id)

    def document(self, form: str) -> DocumentSpec:
        return next(d for d in self.documents if d.form == form)

    def deadline(self, deadline_id: str) -> Deadline:
        return next(d for d in self.deadlines if d.id == deadline_id)


_PROFILE_DIR = "profiles"


def _profile_root() -> Path:
    return Path(str(resources.files("pipeline").joinpath(_PROFILE_DIR)))


def available_profiles() -> list[str]:
    """Ids of the bundled organisation profiles (bases, named ``_*.yaml``, excluded)."""
    return sorted(p.stem for p in _profile_root().glob("*.yaml") if not p.stem.startswith("_"))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _raw(name: str, path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    if name in seen:
        raise ProfileError(issues=[Issue(location=str(path / f"{name}.yaml"), key="profile.circular",
                                         params={"profile": name, "chain": " -> ".join((*seen, name))})])
    file = path / f"{name}.yaml"
    if not file.is_file():
        raise ProfileError(issues=[Issue(location=str(file), key="profile.unknown",
                                         params={"profile": name, "known": ", ".join(available_profiles())},
                                         value=name)])
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    parent = data.pop("extends", None)
    if parent:
        return _merge(_raw(parent, path, seen + (name,)), data)
    return data


@cache
def load_profile(profile_id: str, directory: Path | None = None) -> Profile:
    """Load, merge and validate a profile; :class:`ProfileError` names what is wrong."""
    root = directory or _profile_root()
    data = _raw(profile_id, root)
    data.setdefault("id", profile_id)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        issues = [
            Issue(location=f"{root / (profile_id + '.yaml')}: {'.'.join(str(p) for p in err['loc'])}",
                  key="profile.invalid", params={"error": err["msg"]}, value=err.get("input")
                  if not isinstance(err.get("input"), (dict, list)) else None)
            for err in exc.errors()
        ]
        raise ProfileError(issues=issues) from None
