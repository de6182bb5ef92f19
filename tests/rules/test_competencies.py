"""The 3/4 rule (rules.md §5.2) on the real App. 4 groups, group choice (U21, U22, E8), footnote (U23)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.model import Employee
from pipeline.profile import CompetencyRule
from pipeline.rules.competencies import assess_competencies, meets_threshold
from pipeline.rules.evaluate import evaluate
from tests.rules.builders import employee, evaluation, kpis, profile


def _employee(category: str, head: bool, observed: dict[str, list[int]], **extra: object) -> Employee:
    data = employee(category=category, is_head_of_unit=head,
                    competencies=[{"competency": k, "observed": v} for k, v in observed.items()], **extra)
    return Employee.model_validate(data)


def _outcome(pid: str, category: str, head: bool, key: str, observed: int):
    rule = profile(pid).competencies
    group, outcomes, _ = assess_competencies(_employee(category, head, {key: list(range(1, observed + 1))}), rule)
    assert group is not None
    return next(o for o in outcomes if o.competency == key)


# (profile, category, head of unit, competency, N, observed that meets, observed that does not)
TABLE = [
    ("udp-2018", "B-1", True, "stress_resistance", 1, 1, 0),
    ("udp-2018", "B-5", False, "responsibility", 1, 1, 0),
    ("vssk-2018", "B-4", False, "initiative", 1, 1, 0),
    ("atyrau-2018", "E-1", True, "consumer_informing", 2, 2, 1),
    ("vssk-2018", "B-1", True, "consumer_informing", 2, 2, 1),
    ("udp-2018", "B-1", True, "management", 3, 3, 2),
    ("udp-2018", "B-2", False, "management", 4, 3, 2),
    ("udp-2018", "B-1", True, "decision_making", 5, 4, 3),
    ("udp-2018", "B-1", True, "integrity", 6, 5, 4),
    ("udp-2018", "B-2", False, "integrity", 6, 5, 4),
]


@pytest.mark.parametrize(("pid", "category", "head", "key", "total", "yes", "no"), TABLE)
def test_three_quarters_table(pid: str, category: str, head: bool, key: str, total: int, yes: int, no: int) -> None:
    meets = _outcome(pid, category, head, key, yes)
    assert (meets.total, meets.observed, meets.meets) == (total, yes, True)
    fails = _outcome(pid, category, head, key, no)
    assert (fails.total, fails.observed, fails.meets) == (total, no, False)
    assert len(fails.unobserved_kk) == total - no == len(fails.unobserved_ru)


def test_n_is_the_effective_count_not_the_ineffective_one() -> None:
    rule = profile("udp-2018").competencies
    group = rule.group_for("B-2", False)
    assert len(group.indicators["integrity"].effective) == 6
    assert len(group.indicators["integrity"].ineffective) == 5


def test_hypothetical_ten_indicators() -> None:
    rule = profile("udp-2018").competencies
    assert meets_threshold(8, 10, rule) and not meets_threshold(7, 10, rule)
    assert meets_threshold(3, 4, rule) and not meets_threshold(2, 4, rule)


def test_eleven_indicators_is_a_profile_error() -> None:
    rule = profile("udp-2018").competencies
    group = rule.groups[0].model_dump()
    group["indicators"]["management"]["effective"] = [{"kk": f"x{i}", "ru": f"x{i}"} for i in range(11)]
    with pytest.raises(ValidationError, match="at most 10"):
        CompetencyRule.model_validate({**rule.model_dump(), "groups": [group]})


def test_unobserved_names_for_app3_column_4() -> None:
    rule = profile("udp-2018").competencies
    group = rule.group_for("B-1", True)
    outcome = _outcome("udp-2018", "B-1", True, "management", 2)
    assert outcome.unobserved_kk == [group.indicators["management"].effective[2].kk]
    assert outcome.unobserved_ru == [group.indicators["management"].effective[2].ru]


@pytest.mark.parametrize(("pid", "category", "head", "group"), [
    ("udp-2018", "B-4", True, "G2"), ("udp-2018", "B-4", False, "G3"),
    ("atyrau-2018", "E-3", True, "G2"), ("atyrau-2018", "E-3", False, "G3"),
    ("vssk-2018", "В-1", True, "G1"), ("vssk-2018", "B-1", True, "G1"), ("vssk-2018", "В–1", True, "G1"),
    ("vssk-2018", "B-2", True, "G1"), ("vssk-2018", "B-2", False, None), ("vssk-2018", "B-3", False, None),
])
def test_group_choice(pid: str, category: str, head: bool, group: str | None) -> None:
    found = profile(pid).competencies.group_for(category, head)
    assert (found.id if found else None) == group


def test_public_services_footnote_atyrau_vs_vssk() -> None:
    atyrau = profile("atyrau-2018").competencies
    worker = _employee("E-4", False, {}, delivers_public_services=False)
    _, outcomes, _ = assess_competencies(worker, atyrau)
    assessed = [o for o in outcomes if o.assessed]
    assert len(outcomes) == 11 and len(assessed) == 9
    assert {o.competency for o in outcomes if not o.assessed} == {"consumer_orientation", "consumer_informing"}
    vssk = profile("vssk-2018").competencies
    _, outcomes, _ = assess_competencies(_employee("B-4", False, {}, delivers_public_services=False), vssk)
    assert all(o.assessed for o in outcomes) and len(outcomes) == 11


def test_competencies_never_change_the_kpi_grade() -> None:
    p = profile("udp-2018")
    keys = [c.key for c in p.competencies.competencies]
    good = evaluation(employees=[employee(kpis=kpis(4), competencies=[{"competency": k, "observed": list(range(1, 7))}
                                                                       for k in keys])])
    bad = evaluation(employees=[employee(kpis=kpis(4), competencies=[{"competency": k, "observed": []}
                                                                      for k in keys])])
    first, second = evaluate(good, p).employees[0], evaluate(bad, p).employees[0]
    assert first.grade == second.grade == "effective"
    assert all(c.meets for c in first.competencies) and not any(c.meets for c in second.competencies)
