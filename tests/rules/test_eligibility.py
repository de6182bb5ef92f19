"""Eligibility boundaries (rules.md §5.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.model import Employee, Period
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.eligibility import add_months, check_eligibility, served_months
from tests.rules.builders import employee, profile

D = dt.date
CAL = WorkingCalendar.default()
YEAR = Period(year=2024)
Q3 = Period(year=2024, quarter=3)
SITTING = D(2024, 12, 20)


def _status(pid: str, period: Period, day: dt.date = SITTING, **data: object):
    return check_eligibility(Employee.model_validate(employee(**data)), period, profile(pid), CAL, day)


@pytest.mark.parametrize("pid", ["udp-2018", "atyrau-2018"])
def test_three_months_inclusive(pid: str) -> None:
    assert _status(pid, YEAR, appointed_on="2024-10-01").status == "evaluated"
    result = _status(pid, YEAR, appointed_on="2024-10-02")
    assert result.status == "not_evaluated" and result.findings[0].clause == "cl. 4 ¶1"


@pytest.mark.parametrize("pid", ["udp-2018", "atyrau-2018"])
def test_probation_and_social_leave(pid: str) -> None:
    assert _status(pid, YEAR, appointed_on="2024-01-10", probation=True).status == "not_evaluated"
    assert _status(pid, YEAR, appointed_on="2022-01-10", returned_from_social_leave_on="2024-11-01").status \
        == "not_evaluated"
    assert _status(pid, YEAR, appointed_on="2022-01-10", returned_from_social_leave_on="2024-10-01").status \
        == "evaluated"


def test_absent_2018_is_deferred_to_five_working_days_after_return() -> None:
    # on sick leave on the sitting date, back to work Mon 2024-09-16
    result = _status("udp-2018", YEAR, day=D(2024, 9, 11), appointed_on="2020-01-01",
                     absences=[{"kind": "sick_leave", "start": "2024-09-09", "end": "2024-09-15"}])
    assert result.status == "deferred" and result.evaluate_by == D(2024, 9, 23)
    still = _status("udp-2018", YEAR, day=D(2024, 9, 11), absences=[{"kind": "annual_leave", "start": "2024-09-09"}])
    assert still.status == "deferred" and still.evaluate_by is None


@pytest.mark.parametrize("pid", ["almaty-2023", "alatau-2024"])
def test_one_month_within_the_quarter(pid: str) -> None:
    assert _status(pid, Q3, day=D(2024, 10, 10), appointed_on="2024-09-01").status == "evaluated"
    assert _status(pid, Q3, day=D(2024, 10, 10), appointed_on="2024-09-02").status == "not_evaluated"
    assert _status(pid, Q3, day=D(2024, 10, 10), appointed_on="2020-09-02").status == "evaluated"


@pytest.mark.parametrize("pid", ["almaty-2023", "alatau-2024"])
def test_absent_2023_is_without_participation(pid: str) -> None:
    result = _status(pid, Q3, day=D(2024, 10, 10), absences=[{"kind": "annual_leave", "start": "2024-10-01",
                                                              "end": "2024-10-20"}])
    assert result.status == "without_participation" and result.evaluate_by is None


def test_alatau_dismissed_is_evaluated_without_participation() -> None:
    result = _status("alatau-2024", Q3, day=D(2024, 10, 10), dismissed_on="2024-08-15")
    assert result.status == "without_participation" and result.findings[-1].clause == "cl. 6"


def test_alatau_head_needs_three_months_to_year_end_for_kpis() -> None:
    q4 = Period(year=2024, quarter=4)
    head = {"category": "Е-2", "is_head_of_unit": True}
    assert _status("alatau-2024", q4, day=D(2025, 1, 10), appointed_on="2024-10-01", **head).status == "evaluated"
    result = _status("alatau-2024", q4, day=D(2025, 1, 10), appointed_on="2024-10-02", **head)
    assert result.status == "not_evaluated"
    assert result.findings[-1].rule == "eligibility.no_kpis" and "cl. 22" in result.findings[-1].clause
    staff = _status("alatau-2024", q4, day=D(2025, 1, 10), appointed_on="2024-10-02", category="E-4")
    assert staff.status == "evaluated"                                # ranking staff: cl. 5 only


def test_month_arithmetic() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)
    assert served_months(D(2024, 10, 1), D(2024, 12, 31), 3)
    assert not served_months(D(2024, 10, 2), D(2024, 12, 31), 3)
