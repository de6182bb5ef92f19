"""Input checks the model alone cannot make: ids, profile keys, score ranges, dates.

These need the profile but not the methodology's rules (those are in
:mod:`pipeline.rules.validate`): they catch typing mistakes in the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pipeline.errors import Issue
from pipeline.i18n import display_value
from pipeline.model import Commission, Employee, Evaluation, Period
from pipeline.profile import Profile, normalise_category
from pipeline.read.source import Locate, ModelPath
from pipeline.rules.eligibility import add_months

__all__ = ["WINDOW_MONTHS", "check_evaluation", "check_ids", "parse_day", "period_label"]

WINDOW_MONTHS = 6   # how long after the period its paperwork may still be dated

def period_label(period: Period) -> str:
    """The evaluated period as messages name it: ``2024`` or ``2024 Q3``."""
    return f"{period.year}" + (f" Q{period.quarter}" if period.quarter else "")


def parse_day(text: str) -> dt.date | None:
    """A date written as ``YYYY-MM-DD`` or ``DD.MM.YYYY``; None for other text."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


class _Checker:
    def __init__(self, evaluation: Evaluation, profile: Profile, locate: Locate) -> None:
        self.evaluation = evaluation
        self.profile = profile
        self.locate = locate
        self.issues: list[Issue] = []
        period = evaluation.period
        self.period_text = period_label(period)
        self.window = (period.start, add_months(period.end, WINDOW_MONTHS))

    def add(self, path: ModelPath, key: str, value: object = None, **params: object) -> None:
        params.setdefault("profile", self.profile.id)
        if value is not None:
            params.setdefault("value", display_value(value))
        self.issues.append(Issue(location=self.locate(path), key=key, params=dict(params), value=value))

    def score(self, path: ModelPath, value: float, low: float, high: float) -> None:
        if not low <= value <= high:
            self.add(path, "input.score_range", value, min=low, max=high)

    def in_window(self, path: ModelPath, day: dt.date | None) -> None:
        start, end = self.window
        if day is not None and not start <= day <= end:
            self.add(path, "input.date_outside_window", day.isoformat(), start=start.isoformat(),
                     end=end.isoformat(), period=self.period_text, months=WINDOW_MONTHS)

    def run(self) -> list[Issue]:
        evaluation = self.evaluation
        if evaluation.commission is not None:
            self.commission(evaluation.commission)
        for index, employee in enumerate(evaluation.employees):
            self.employee(("employees", index), employee)
        return self.issues

    def commission(self, commission: Commission) -> None:
        base: ModelPath = ("commission",)
        members = [m.id for m in commission.members]
        known = ", ".join(members)
        for field in ("notified_evaluators_on", "completed_on"):
            self.in_window(base + (field,), getattr(commission, field))
        if commission.sitting is not None:
            self.in_window(base + ("sitting", "date"), commission.sitting.date)
            for i, member in enumerate(commission.sitting.present):
                if member not in members:
                    self.add(base + ("sitting", "present", i), "input.unknown_member", member, known=known)
        for e_index, employee in enumerate(self.evaluation.employees):
            if employee.decision is None:
                continue
            for v_index, vote in enumerate(employee.decision.votes):
                if vote.member not in members:
                    self.add(("employees", e_index, "decision", "votes", v_index, "member"),
                             "input.unknown_member", vote.member, known=known)

    def employee(self, base: ModelPath, employee: Employee) -> None:
        profile = self.profile
        if normalise_category(employee.category) not in profile.categories:
            self.add(base + ("category",), "input.unknown_category", employee.category,
                     known=", ".join(profile.categories))
        period = self.evaluation.period
        if employee.appointed_on > period.end:
            self.add(base + ("appointed_on",), "input.appointed_after_period",
                     employee.appointed_on.isoformat(), end=period.end.isoformat())
        if employee.dismissed_on is not None and employee.dismissed_on < employee.appointed_on:
            self.add(base + ("dismissed_on",), "input.end_before_start", employee.dismissed_on.isoformat(),
                     start=employee.appointed_on.isoformat())
        for index, absence in enumerate(employee.absences):
            if absence.end is not None and absence.end < absence.start:
                self.add(base + ("absences", index, "end"), "input.end_before_start",
                         absence.end.isoformat(), start=absence.start.isoformat())
        self.kpis(base, employee)
        self.competencies(base, employee)
        self.ranking(base, employee)
        self.survey(base, employee)
        if employee.acquaintance is not None:
            self.in_window(base + ("acquaintance", "on"), employee.acquaintance.on)
        if employee.calibration is not None:
            if profile.calibration is None:
                self.add(base + ("calibration",), "input.method_not_used", method="calibration")
            for field in ("applied_on", "held_on", "protocol_signed_on"):
                self.in_window(base + ("calibration", field), getattr(employee.calibration, field))

    def kpis(self, base: ModelPath, employee: Employee) -> None:
        rule = self.profile.kpi
        if rule is None:
            if employee.kpis:
                self.add(base + ("kpis",), "input.method_not_used", method="kpi")
            return
        period = self.evaluation.period
        for index, kpi in enumerate(employee.kpis):
            path = base + ("kpis", index)
            if kpi.score is not None:
                self.score(path + ("score",), kpi.score, rule.score_min, rule.score_max)
            for quarter, value in kpi.quarter_scores.items():
                if not 1 <= quarter <= 4:
                    self.add(path + ("quarter_scores", quarter), "input.bad_quarter", quarter)
                self.score(path + ("quarter_scores", quarter), value, rule.score_min, rule.score_max)
            due = parse_day(kpi.due)
            if due is not None and not period.start <= due <= period.end:
                self.add(path + ("due",), "input.date_outside_period", kpi.due,
                         start=period.start.isoformat(), end=period.end.isoformat())

    def competencies(self, base: ModelPath, employee: Employee) -> None:
        rule = self.profile.competencies
        if rule is None:
            if employee.competencies:
                self.add(base + ("competencies",), "input.method_not_used", method="competencies")
            return
        keys = [c.key for c in rule.competencies]
        for index, item in enumerate(employee.competencies):
            path = base + ("competencies", index)
            if item.competency not in keys:
                self.add(path + ("competency",), "input.unknown_competency", item.competency,
                         known=", ".join(keys))
            for i, number in enumerate(item.observed):
                if not 1 <= number <= rule.max_indicators:
                    self.add(path + ("observed", i), "input.bad_indicator", number, max=rule.max_indicators)

    def ranking(self, base: ModelPath, employee: Employee) -> None:
        rule = self.profile.ranking
        if rule is None:
            if employee.ranking:
                self.add(base + ("ranking",), "input.method_not_used", method="ranking")
            return
        keys = [p.key for p in rule.parameters]
        for index, quarter in enumerate(employee.ranking):
            for key, value in quarter.scores.items():
                path = base + ("ranking", index, "scores", key)
                if key not in keys:
                    self.add(path, "input.unknown_parameter", key, known=", ".join(keys))
                self.score(path, value, rule.score_min, rule.score_max)

    def survey(self, base: ModelPath, employee: Employee) -> None:
        rule = self.profile.survey_360
        survey = employee.survey_360
        if survey is None:
            return
        if rule is None:
            self.add(base + ("survey_360",), "input.method_not_used", method="survey_360")
            return
        keys = list(dict.fromkeys(c.key for c in (*rule.head_competencies, *rule.staff_competencies)))
        path = base + ("survey_360",)
        sheets = [(path + ("self_assessment",), survey.self_assessment)]
        sheets += [(path + ("respondents", i, "scores"), r.scores) for i, r in enumerate(survey.respondents)]
        for sheet_path, scores in sheets:
            for key, value in scores.items():
                if key not in keys:
                    self.add(sheet_path + (key,), "input.unknown_competency", key, known=", ".join(keys))
                self.score(sheet_path + (key,), value, rule.score_min, rule.score_max)


def _ids(items: Any) -> Iterator[tuple[int, str]]:
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield index, item["id"]


def check_ids(data: dict[str, Any], locate: Locate) -> list[Issue]:
    """Ids written twice among the employees or the commission members (on the raw data,
    so that they are reported together with the model's own errors)."""
    issues: list[Issue] = []
    commission = data.get("commission")
    lists: list[tuple[ModelPath, Any]] = [(("employees",), data.get("employees"))]
    if isinstance(commission, dict):
        lists.append((("commission", "members"), commission.get("members")))
    for base, items in lists:
        first: dict[str, ModelPath] = {}
        for index, ident in _ids(items):
            path = base + (index, "id")
            if ident in first:
                issues.append(Issue(location=locate(path), key="input.duplicate_id",
                                    params={"id": ident, "value": display_value(ident),
                                            "first": locate(first[ident])}))
            else:
                first[ident] = path
    return issues


def check_evaluation(evaluation: Evaluation, profile: Profile, locate: Locate) -> list[Issue]:
    """Every id, key, score and date problem of ``evaluation`` against ``profile``."""
    return _Checker(evaluation, profile, locate).run()
