"""evaluate(): grades, final grades after correction or calibration, quorum, schedule."""

from __future__ import annotations

import datetime as dt

from pipeline.rules.evaluate import evaluate
from tests.rules.builders import commission, employee, evaluation, kpis, profile


def _udp(eid: str, met: int, **extra: object) -> dict:
    keys = [c.key for c in profile("udp-2018").competencies.competencies]
    data = employee(eid, kpis=kpis(met), competencies=[{"competency": k, "observed": [1, 2, 3]} for k in keys])
    data.update(extra)
    return data


def test_udp_evaluation_end_to_end() -> None:
    review = {"votes": [{"member": f"c{i}", "choice": "review"} for i in range(1, 5)]
              + [{"member": "c5", "choice": "approve"}], "corrected_grade": "effective"}
    tie = {"votes": [{"member": "c1", "choice": "review"}, {"member": "c2", "choice": "review"},
                     {"member": "c3", "choice": "approve"}, {"member": "c4", "choice": "approve"}],
           "corrected_grade": "excellent"}
    people = [
        _udp("e1", 5),
        _udp("e2", 3, decision=review),
        _udp("e3", 4, decision=tie),
        _udp("e4", 5, probation=True),
        _udp("e5", 2, absences=[{"kind": "sick_leave", "start": "2024-12-16", "end": "2024-12-22"}]),
        _udp("e6", 4, acquaintance={"on": "2024-12-27"}),
    ]
    ev = evaluation("udp-2018", people, commission_data=commission(members=5, sitting="2024-12-20",
                                                                   completed="2024-12-23"))
    result = evaluate(ev, profile("udp-2018"))
    rows = {r.employee: r for r in result.employees}
    assert (rows["e1"].grade, rows["e1"].grade_kk, rows["e1"].final_grade) == ("excellent", "өте жақсы", "excellent")
    assert (rows["e2"].grade, rows["e2"].final_grade, rows["e2"].final_grade_kk) == ("satisfactory", "effective",
                                                                                     "тиімді")
    assert any(f.rule == "commission.correction" and f.clause == "cl. 38" for f in rows["e2"].findings)
    assert rows["e3"].final_grade == "excellent"                   # 2-2, the chair voted review
    assert result.commission.decisions == {"e2": "review", "e3": "review"}
    assert rows["e4"].status == "not_evaluated" and rows["e4"].grade is None
    assert rows["e5"].status == "deferred" and rows["e5"].evaluate_by == dt.date(2024, 12, 30)
    assert rows["e6"].status == "evaluated"
    assert any(f.rule == "deadline.late" and f.clause == "cl. 40" for f in rows["e6"].findings)   # due 25 Dec
    assert rows["e1"].indicator_group == "G3" and len(rows["e1"].competencies) == 9
    assert (result.commission.members, result.commission.present, result.commission.quorum) == (5, 5, True)
    assert {d.id for d in result.schedule} >= {"evaluators_notice", "acquaintance", "appeal", "kpi_monitoring_q4"}
    clauses = {f.clause for r in result.employees for f in r.findings}
    assert {"cl. 18", "cl. 4 ¶1"} <= clauses


def test_alatau_quarter_heads_staff_and_calibration() -> None:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    staff_keys = [c.key for c in p.survey_360.staff_competencies]
    head = employee("h1", category="Е-2", is_head_of_unit=True,
                    kpis=[{"title": f"k{i}", "quarter_scores": {3: s}} for i, s in enumerate([4, 4, 3.97])],
                    acquaintance={"on": "2024-10-14"},
                    calibration={"applied_on": "2024-10-18", "held_on": "2024-10-30", "votes_for_change": 3,
                                 "votes_against_change": 1, "proposed_grade": "excellent",
                                 "participants": [{"id": f"p{i}", "full_name": f"P {i}"} for i in range(4)]})
    staff = employee("s1", category="E-4", ranking=[{"quarter": 3, "scores": dict(zip(keys, [4, 4, 4, 3],
                                                                                         strict=True))}],
                     survey_360={"self_assessment": {staff_keys[0]: 5},
                                 "respondents": [{"relation": "peer", "scores": {staff_keys[0]: s}} for s in (2, 3, 4)]})
    tied = employee("s2", category="E-4", ranking=[{"quarter": 3, "scores": {k: 2 for k in keys}}],
                    calibration={"applied_on": "2024-10-18", "held_on": "2024-10-30", "votes_for_change": 2,
                                 "votes_against_change": 2, "proposed_grade": "effective"})
    late_head = employee("h2", category="Е-2", is_head_of_unit=True, appointed_on="2024-10-02")
    ev = evaluation("alatau-2024", [head, staff, tied, late_head], quarter=4 - 1, commission_data=None)
    result = evaluate(ev, p)
    rows = {r.employee: r for r in result.employees}
    assert rows["h1"].method == "kpi" and rows["h1"].grade == "effective"
    assert rows["h1"].final_grade == "excellent" and rows["h1"].final_grade_kk == p.grade("excellent").label.kk
    assert rows["s1"].method == "ranking" and rows["s1"].score == 3.75 and rows["s1"].grade == "effective"
    assert rows["s1"].survey_360 == {staff_keys[0]: 3.0}
    assert rows["s2"].final_grade == "satisfactory"                 # tie: status quo (U13)
    assert any(f.rule == "calibration.tie_status_quo" for f in rows["s2"].findings)
    assert rows["h2"].status == "not_evaluated"                     # appointed after the quarter: cl. 5
    assert result.commission is None
    assert dt.date(2024, 10, 5) in {d.due for d in result.schedule if d.anchor == "quarter_end"}


def test_360_never_changes_the_grade() -> None:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    key = p.survey_360.staff_competencies[0].key

    def run(score: float) -> str | None:
        staff = employee("s1", category="E-4", ranking=[{"quarter": 3, "scores": {k: 3 for k in keys}}],
                         survey_360={"respondents": [{"relation": "peer", "scores": {key: score}}] * 3})
        return evaluate(evaluation("alatau-2024", [staff], quarter=3, commission_data=None), p).employees[0].grade

    assert run(0) == run(5) == "effective"
