"""Who is evaluated, and how (rules.md §1.2, §5.5).

2018 schemes: at least N months in the post by the end of the period, counted inclusively and
restarted after social leave; not on probation; someone absent is evaluated within N working days
of returning (deferred). 2023+: at least N months in the post *within* the evaluated period;
someone absent or dismissed is evaluated without participation. alatau heads with under 3 months
between appointment and the end of the KPI year get no KPIs and so are not evaluated (C11).
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pipeline.model import Absence, Employee, Period
from pipeline.profile import Profile, normalise_category
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.result import Finding

__all__ = ["Eligibility", "absent_on", "add_months", "check_eligibility", "is_head", "served_months"]

Status = Literal["evaluated", "not_evaluated", "deferred", "without_participation"]


@dataclass(frozen=True)
class Eligibility:
    status: Status
    evaluate_by: dt.date | None = None
    findings: list[Finding] = field(default_factory=list)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _months.monthrange(year, month)[1]))


def served_months(start: dt.date, end: dt.date, months: int) -> bool:
    """True if ``start``..``end`` (both days included) lasts at least ``months`` months.

    Appointed 2024-10-01, reference 2024-12-31: exactly 3 months (§5.5); 2024-10-02: less.
    """
    return add_months(start, months) <= end + dt.timedelta(days=1)


def is_head(employee: Employee, profile: Profile) -> bool:
    """A head of unit or body for the profile: a head category (alatau `Е-2`) or flagged as head."""
    heads = {normalise_category(c) for c in profile.head_categories}
    return normalise_category(employee.category) in heads if heads else employee.is_head_of_unit


def absent_on(employee: Employee, day: dt.date) -> Absence | None:
    """The absence covering ``day``, if any."""
    return next((a for a in employee.absences if a.start <= day and (a.end is None or a.end >= day)), None)


def check_eligibility(employee: Employee, period: Period, profile: Profile, calendar: WorkingCalendar,
                      evaluation_day: dt.date) -> Eligibility:
    """The employee's status; ``evaluation_day`` is the sitting (or the last day of the evaluation)."""
    rule = profile.eligibility
    if rule.probation_excluded and employee.probation:
        return Eligibility("not_evaluated", findings=[Finding(rule="eligibility.probation", clause=rule.clause,
                                                              detail="on probation: not evaluated")])
    start = employee.appointed_on
    if rule.restart_after_social_leave and employee.returned_from_social_leave_on:
        start = max(start, employee.returned_from_social_leave_on)
    if rule.months_within_period:
        start = max(start, period.start)
        end = min(period.end, employee.dismissed_on or period.end)
        reference = f"within {period.start}..{end}"
    else:
        end = evaluation_day if rule.months_reference == "sitting_date" else period.end
        reference = f"from {start} to {end} ({rule.months_reference}, U7)"
    if start > end or not served_months(start, end, rule.min_months_in_post):
        return Eligibility("not_evaluated", findings=[Finding(
            rule="eligibility.min_months", clause=rule.clause,
            detail=f"less than {rule.min_months_in_post} month(s) in the post {reference}")])
    findings = [Finding(rule="eligibility.min_months", clause=rule.clause,
                        detail=f"at least {rule.min_months_in_post} month(s) in the post {reference}")]
    kpi = profile.kpi
    if kpi and kpi.no_kpi_if_months_left_below and is_head(employee, profile):
        year_end = dt.date(period.year, 12, 31)
        if not served_months(employee.appointed_on, year_end, kpi.no_kpi_if_months_left_below):
            return Eligibility("not_evaluated", findings=[*findings, Finding(
                rule="eligibility.no_kpis", clause=kpi.no_kpi_clause or kpi.count_clause,
                detail=f"appointed {employee.appointed_on}: less than {kpi.no_kpi_if_months_left_below} months "
                       f"to {year_end}, no KPIs are set (C11)")])
    if employee.dismissed_on and employee.dismissed_on <= period.end:
        if rule.dismissed_evaluated_without_participation:
            return Eligibility("without_participation", findings=[*findings, Finding(
                rule="eligibility.dismissed", clause=rule.dismissed_clause or rule.clause,
                detail=f"dismissed {employee.dismissed_on}: evaluated without participation")])
        findings.append(Finding(rule="eligibility.dismissed", clause=rule.clause,
                                detail=f"dismissed {employee.dismissed_on}: the methodology does not address it"))
    absence = absent_on(employee, evaluation_day)
    if absence is None:
        return Eligibility("evaluated", findings=findings)
    if rule.absence_mode == "without_participation":
        return Eligibility("without_participation", findings=[*findings, Finding(
            rule="eligibility.absent", clause=rule.absence_clause,
            detail=f"{absence.kind} on {evaluation_day}: evaluated without participation")])
    if absence.end is None:
        return Eligibility("deferred", findings=[*findings, Finding(
            rule="eligibility.absent", clause=rule.absence_clause,
            detail=f"{absence.kind} on {evaluation_day}, still absent: evaluated after returning")])
    returned = calendar.next_working_day(absence.end + dt.timedelta(days=1))
    days = rule.absence_deferral_working_days or 0
    due = calendar.add_working_days(returned, days)
    return Eligibility("deferred", evaluate_by=due, findings=[*findings, Finding(
        rule="eligibility.absent", clause=rule.absence_clause,
        detail=f"{absence.kind} on {evaluation_day}; back {returned}: evaluate within {days} working days, by {due}")])
