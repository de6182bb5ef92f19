"""The schedule: every ``profile.deadlines`` entry as a date for one evaluation (rules.md §1.5, §5.6).

Anchors come from the evaluation data; an anchor with no date in the data is skipped (the period
anchors always exist). Working-day deadlines skip weekends and holidays; calendar-day deadlines
(the 5th, 10th, 25 December) are not moved off a weekend (§1.5).

Anchor dates:
    period_start, period_end    the evaluated period
    quarter_end                 the end of each quarter in the period; a ``<id>_q4`` deadline
                                (udp cl. 16: Q4 by 25 December) replaces ``<id>`` for Q4
    year_end                    31 December of the period's year
    appointment                 an employee appointed inside the period (alatau cl. 22 ¶2)
    sitting, completion, decision   the commission's sitting, and the approval of results
                                (U5, U6: completion and decision are both the approval date)
    acquaintance                the day an employee was acquainted with the results
    return_to_work              first working day after an absence covering the evaluation day
    calibration_application, calibration_protocol_signed   an employee's calibration request
    last_evaluation_day         per quarter, the latest calendar deadline anchored at the quarter
                                end (alatau cl. 4: the 10th; X1)
    plan_returned, sheet_returned, superior_signed, manager_signed, kpis_approved
                                an employee's ``workflow`` dates (``Workflow.STEPS``)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline.model import Employee, Evaluation, Period, Workflow
from pipeline.profile import Deadline, Profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.eligibility import absent_on
from pipeline.rules.result import DeadlineDate, Finding

__all__ = ["anchor_dates", "check_on_time", "due_date", "evaluation_day", "period_quarters", "quarter_ends", "schedule",
           "workflow_steps"]

Anchor = tuple[str, dt.date, str | None]     # anchor id, date, employee id (None: everyone)


def due_date(deadline: Deadline, anchor: dt.date, calendar: WorkingCalendar) -> dt.date:
    """The date ``deadline`` falls on for an anchor on ``anchor``."""
    if deadline.kind == "working_days_after":
        return calendar.add_working_days(anchor, deadline.days or 0)
    if deadline.kind == "working_days_before":
        return calendar.subtract_working_days(anchor, deadline.days or 0)
    if deadline.kind == "day_of_next_month":
        year, month = (anchor.year + 1, 1) if anchor.month == 12 else (anchor.year, anchor.month + 1)
        return dt.date(year, month, deadline.day or 1)
    month, day = (int(part) for part in (deadline.month_day or "12-31").split("-"))
    return dt.date(anchor.year, month, day)


def period_quarters(period: Period) -> list[int]:
    """The quarters inside the evaluated period: its own quarter, or all four of a year."""
    return [period.quarter] if period.quarter else [1, 2, 3, 4]


def quarter_ends(evaluation: Evaluation) -> list[dt.date]:
    """Ends of the quarters inside the evaluated period."""
    year = evaluation.period.year
    return [Period(year=year, quarter=q).end for q in period_quarters(evaluation.period)]


def _last_evaluation_days(evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar) -> list[dt.date]:
    monthly = [d for d in profile.deadlines if d.anchor == "quarter_end" and d.kind == "day_of_next_month"]
    if not monthly:
        return []
    return [max(due_date(d, end, calendar) for d in monthly) for end in quarter_ends(evaluation)]


def evaluation_day(evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar) -> dt.date:
    """The day the evaluation takes place: the sitting, else the last day of the evaluation, else the period end."""
    commission = evaluation.commission
    if commission and commission.sitting:
        return commission.sitting.date
    last = _last_evaluation_days(evaluation, profile, calendar)
    return last[-1] if last else evaluation.period.end


def anchor_dates(evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar) -> Iterator[Anchor]:
    """Every anchor date present in the data."""
    period = evaluation.period
    yield "period_start", period.start, None
    yield "period_end", period.end, None
    yield "year_end", dt.date(period.year, 12, 31), None
    for end in quarter_ends(evaluation):
        yield "quarter_end", end, None
    for day in _last_evaluation_days(evaluation, profile, calendar):
        yield "last_evaluation_day", day, None
    commission = evaluation.commission
    if commission and commission.sitting:
        yield "sitting", commission.sitting.date, None
    if commission and commission.completed_on:
        yield "completion", commission.completed_on, None
        yield "decision", commission.completed_on, None
    day_of_evaluation = evaluation_day(evaluation, profile, calendar)
    for employee in evaluation.employees:
        if period.start < employee.appointed_on <= period.end:
            yield "appointment", employee.appointed_on, employee.id
        if employee.acquaintance and employee.acquaintance.on:
            yield "acquaintance", employee.acquaintance.on, employee.id
        absence = absent_on(employee, day_of_evaluation)
        if absence and absence.end:
            yield "return_to_work", calendar.next_working_day(absence.end + dt.timedelta(days=1)), employee.id
        request = employee.calibration
        if request:
            yield "calibration_application", request.applied_on, employee.id
            if request.protocol_signed_on:
                yield "calibration_protocol_signed", request.protocol_signed_on, employee.id
        if employee.workflow:
            for anchor, (field, _done) in Workflow.STEPS.items():
                day = getattr(employee.workflow, field)
                if day:
                    yield anchor, day, employee.id


def schedule(evaluation: Evaluation, profile: Profile, calendar: WorkingCalendar) -> list[DeadlineDate]:
    """Every profile deadline as a date, sorted by due date."""
    anchors = list(anchor_dates(evaluation, profile, calendar))
    ids = {d.id for d in profile.deadlines}
    out: list[DeadlineDate] = []
    for deadline in profile.deadlines:
        for anchor, day, employee in anchors:
            if anchor != deadline.anchor:
                continue
            if anchor == "quarter_end" and day.month == 12 and f"{deadline.id}_q4" in ids:
                continue
            out.append(DeadlineDate(id=deadline.id, label_kk=deadline.label.kk, label_ru=deadline.label.ru,
                                    due=due_date(deadline, day, calendar), anchor=anchor, anchor_date=day,
                                    clause=deadline.clause, employee=employee))
    return sorted(out, key=lambda d: (d.due, d.id, d.employee or ""))


def check_on_time(actual: dt.date, deadline: DeadlineDate) -> Finding:
    """Whether ``actual`` meets ``deadline`` (on or before the due date)."""
    late = actual > deadline.due
    return Finding(rule="deadline.late" if late else "deadline.on_time", clause=deadline.clause,
                   detail=f"{deadline.id}: {actual} {'after' if late else 'by'} the due date {deadline.due}")


def workflow_steps(employee: Employee, deadlines: list[DeadlineDate]) -> Iterator[tuple[DeadlineDate, str, dt.date]]:
    """Each of ``employee``'s workflow deadlines whose step has a done date: (deadline, done field, done date)."""
    if employee.workflow is None:
        return
    for deadline in deadlines:
        step = Workflow.STEPS.get(deadline.anchor)
        if deadline.employee != employee.id or step is None:
            continue
        done = getattr(employee.workflow, step[1])
        if done is not None:
            yield deadline, step[1], done
