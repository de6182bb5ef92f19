"""Every row of rules.md §5.6, computed from the profiles' own deadline entries."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.profile import Deadline, Profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.deadlines import check_on_time, due_date, schedule
from pipeline.rules.result import DeadlineDate
from tests.rules.builders import commission, employee, evaluation, profile

D = dt.date
CAL = WorkingCalendar.default()


def _find(p: Profile, anchor: str, kind: str, days: int | None = None, day: int | None = None,
          clause: str | None = None) -> Deadline:
    found = [d for d in p.deadlines if d.anchor == anchor and d.kind == kind
             and (days is None or d.days == days) and (day is None or d.day == day)
             and (clause is None or d.clause.startswith(clause))]
    assert found, f"{p.id}: no {kind} deadline anchored at {anchor}"
    return found[0]


# (profile, anchor, kind, days, day, clause, trigger, due, late example or None)
ROWS = [
    ("udp-2018", "plan_returned", "working_days_after", 2, None, None, D(2024, 9, 2), D(2024, 9, 4), D(2024, 9, 5)),
    ("atyrau-2018", "plan_returned", "working_days_after", 2, None, None, D(2024, 9, 5), D(2024, 9, 9), D(2024, 9, 10)),
    ("udp-2018", "superior_signed", "working_days_after", 2, None, None, D(2024, 9, 27), D(2024, 10, 1), D(2024, 10, 2)),
    ("vssk-2018", "superior_signed", "working_days_after", 2, None, None, D(2024, 9, 27), D(2024, 10, 1), D(2024, 10, 2)),
    ("udp-2018", "sitting", "working_days_before", 7, None, None, D(2024, 9, 18), D(2024, 9, 9), D(2024, 9, 10)),
    ("atyrau-2018", "sitting", "working_days_before", 7, None, None, D(2024, 9, 18), D(2024, 9, 9), D(2024, 9, 10)),
    ("vssk-2018", "sitting", "working_days_before", 7, None, None, D(2024, 9, 18), D(2024, 9, 9), D(2024, 9, 10)),
    ("almaty-2023", "sitting", "working_days_before", 3, None, None, D(2024, 9, 18), D(2024, 9, 13), D(2024, 9, 16)),
    ("udp-2018", "completion", "working_days_after", 2, None, "cl. 40", D(2024, 9, 20), D(2024, 9, 24), D(2024, 9, 25)),
    ("almaty-2023", "completion", "working_days_after", 2, None, None, D(2024, 9, 20), D(2024, 9, 24), D(2024, 9, 25)),
    ("alatau-2024", "completion", "working_days_after", 2, None, None, D(2024, 9, 20), D(2024, 9, 24), D(2024, 9, 25)),
    ("atyrau-2018", "completion", "working_days_after", 2, None, "cl. 41", D(2024, 9, 20), D(2024, 9, 24), None),
    ("udp-2018", "decision", "working_days_after", 10, None, None, D(2024, 9, 20), D(2024, 10, 4), D(2024, 10, 7)),
    ("atyrau-2018", "decision", "working_days_after", 10, None, None, D(2024, 9, 20), D(2024, 10, 4), D(2024, 10, 7)),
    ("almaty-2023", "decision", "working_days_after", 10, None, None, D(2024, 9, 20), D(2024, 10, 4), D(2024, 10, 7)),
    ("alatau-2024", "acquaintance", "working_days_after", 5, None, None, D(2024, 10, 28), D(2024, 11, 4), D(2024, 11, 5)),
    ("alatau-2024", "calibration_application", "working_days_after", 3, None, None, D(2024, 11, 4), D(2024, 11, 7), None),
    ("alatau-2024", "calibration_application", "working_days_after", 10, None, None, D(2024, 11, 4), D(2024, 11, 18),
     D(2024, 11, 19)),
    ("alatau-2024", "calibration_protocol_signed", "working_days_after", 3, None, None, D(2024, 11, 18), D(2024, 11, 21),
     None),
    ("alatau-2024", "appointment", "working_days_after", 10, None, None, D(2024, 9, 2), D(2024, 9, 16), None),
    ("alatau-2024", "kpis_approved", "working_days_after", 5, None, None, D(2024, 9, 16), D(2024, 9, 23), None),
    ("alatau-2024", "last_evaluation_day", "working_days_before", 5, None, None, D(2024, 10, 10), D(2024, 10, 3),
     D(2024, 10, 4)),
    ("alatau-2024", "quarter_end", "day_of_next_month", None, 10, "cl. 4", D(2024, 9, 30), D(2024, 10, 10),
     D(2024, 10, 11)),
    ("alatau-2024", "quarter_end", "day_of_next_month", None, 5, None, D(2024, 9, 30), D(2024, 10, 5), None),
    ("alatau-2024", "quarter_end", "day_of_next_month", None, 10, "cl. 30", D(2024, 9, 30), D(2024, 10, 10), None),
    ("alatau-2024", "year_end", "day_of_next_month", None, 10, None, D(2024, 12, 31), D(2025, 1, 10), None),
    ("udp-2018", "quarter_end", "day_of_next_month", None, 10, None, D(2024, 3, 31), D(2024, 4, 10), None),
    ("udp-2018", "quarter_end", "day_of_next_month", None, 10, None, D(2024, 6, 30), D(2024, 7, 10), None),
    ("udp-2018", "quarter_end", "day_of_next_month", None, 10, None, D(2024, 9, 30), D(2024, 10, 10), None),
    ("udp-2018", "year_end", "calendar_date", None, None, None, D(2024, 12, 31), D(2024, 12, 25), D(2024, 12, 26)),
    ("udp-2018", "return_to_work", "working_days_after", 5, None, None, D(2024, 9, 16), D(2024, 9, 23), D(2024, 9, 24)),
]


@pytest.mark.parametrize(("pid", "anchor", "kind", "days", "day", "clause", "trigger", "due", "late"), ROWS)
def test_rules_md_5_6(pid: str, anchor: str, kind: str, days: int | None, day: int | None, clause: str | None,
                      trigger: dt.date, due: dt.date, late: dt.date | None) -> None:
    deadline = _find(profile(pid), anchor, kind, days, day, clause)
    assert due_date(deadline, trigger, CAL) == due
    item = DeadlineDate(id=deadline.id, label_kk="", label_ru="", due=due, anchor=anchor, anchor_date=trigger,
                        clause=deadline.clause)
    assert check_on_time(due, item).rule == "deadline.on_time"
    if late:
        finding = check_on_time(late, item)
        assert finding.rule == "deadline.late" and finding.clause == deadline.clause


def test_calendar_deadline_on_a_saturday_is_not_moved() -> None:
    deadline = _find(profile("alatau-2024"), "quarter_end", "day_of_next_month", day=5)
    assert due_date(deadline, D(2024, 9, 30), CAL).weekday() == 5


def test_working_day_deadline_crosses_holidays_and_a_transferred_working_day() -> None:
    acquaintance = _find(profile("udp-2018"), "completion", "working_days_after", 2, clause="cl. 40")
    # completed Thu 24 Oct 2024: Fri 25 Oct is Republic Day
    assert due_date(acquaintance, D(2024, 10, 24), CAL) == D(2024, 10, 29)
    # completed Thu 2 May 2024: Fri 3 May, then Sat 4 May is a working day
    assert due_date(acquaintance, D(2024, 5, 2), CAL) == D(2024, 5, 4)
    # completed Thu 2 Jan 2025 (holiday): Fri 3 Jan off, Sun 5 Jan working, Mon 6 Jan
    assert due_date(acquaintance, D(2025, 1, 2), CAL) == D(2025, 1, 6)
    notice = _find(profile("udp-2018"), "sitting", "working_days_before", 7)
    # sitting Mon 13 May 2024: back over 10, 8-7 (off), 6, 4 (Sat, working), 3, 2, 1 (holiday), 30 Apr
    assert due_date(notice, D(2024, 5, 13), CAL) == D(2024, 4, 29)


def test_schedule_for_a_udp_year() -> None:
    ev = evaluation("udp-2018", [employee(absences=[{"kind": "sick_leave", "start": "2024-12-10", "end": "2024-12-22"}])],
                    commission_data=commission(sitting="2024-12-20", completed="2024-12-23"))
    items = schedule(ev, profile("udp-2018"), CAL)
    by_id: dict[str, list[DeadlineDate]] = {}
    for item in items:
        by_id.setdefault(item.id, []).append(item)
    monitoring = by_id["kpi_monitoring"]
    assert [m.due for m in monitoring] == [D(2024, 4, 10), D(2024, 7, 10), D(2024, 10, 10)]   # Q4: its own rule
    assert [m.due for m in by_id["kpi_monitoring_q4"]] == [D(2024, 12, 25)]
    assert by_id["evaluators_notice"][0].due == D(2024, 12, 10)      # Mon 16 Dec is Independence Day
    assert by_id["acquaintance"][0].due == D(2024, 12, 25)
    assert by_id["absent_evaluation"][0].employee == "e1"
    assert by_id["absent_evaluation"][0].anchor_date == D(2024, 12, 23)
    assert by_id["absent_evaluation"][0].due == D(2024, 12, 30)
    assert "plan_resubmission" not in by_id           # not in the data: skipped
    assert items == sorted(items, key=lambda d: (d.due, d.id, d.employee or ""))


def test_schedule_for_an_alatau_quarter() -> None:
    head = employee("h1", category="Е-2", appointed_on="2024-08-01", calibration={"applied_on": "2024-10-21"},
                    acquaintance={"on": "2024-10-15"})
    ev = evaluation("alatau-2024", [head], quarter=3, commission_data=None)
    items = {(d.anchor, d.due) for d in schedule(ev, profile("alatau-2024"), CAL)}
    assert ("appointment", D(2024, 8, 15)) in items
    assert ("quarter_end", D(2024, 10, 5)) in items
    assert ("last_evaluation_day", D(2024, 10, 3)) in items
    assert ("acquaintance", D(2024, 10, 22)) in items
    assert ("calibration_application", D(2024, 11, 5)) in items      # 10 wd after 21 Oct, 25 Oct a holiday
