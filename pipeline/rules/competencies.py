"""Competency sheet (2018 schemes, cl. 26-27, App. 3-4): the 3/4 rule per competency.

A competency meets expectations iff ``denominator * observed >= numerator * N`` (``4*o >= 3*N``),
N being the number of *effective* indicators of the employee's group (U8). The group is chosen
by (category, head of unit) (U21); a category with no group is a data error (U22).
"""

from __future__ import annotations

from pipeline.model import Employee
from pipeline.profile import CompetencyRule, IndicatorGroup, normalise_category
from pipeline.rules.result import CompetencyOutcome, Finding

__all__ = ["assess_competencies", "meets_threshold"]

def meets_threshold(observed: int, total: int, rule: CompetencyRule) -> bool:
    """cl. 27: ``3/4 немесе одан көбі`` in integers."""
    return rule.threshold_denominator * observed >= rule.threshold_numerator * total


def assess_competencies(employee: Employee, rule: CompetencyRule,
                        ) -> tuple[IndicatorGroup | None, list[CompetencyOutcome], list[Finding]]:
    """Every App. 3 competency for the employee, in App. 3 order."""
    group = rule.group_for(employee.category, employee.is_head_of_unit)
    if group is None:
        return None, [], [Finding(rule="competency.no_group", clause="App. 4",
                                  detail=f"category {employee.category!r} has no indicator group (U22)")]
    observed_by_key = {a.competency: set(a.observed) for a in employee.competencies}
    outcomes: list[CompetencyOutcome] = []
    findings = [Finding(rule="competency.group", clause="App. 4",
                        detail=f"group {group.id} for category {normalise_category(employee.category)}"
                               f"{' (head of unit)' if employee.is_head_of_unit else ''} (U21)")]
    for competency in rule.competencies:
        indicators = group.indicators.get(competency.key)
        exempt = competency.public_services_only and not employee.delivers_public_services
        if exempt or indicators is None:
            outcomes.append(CompetencyOutcome(competency=competency.key, label_kk=competency.label.kk,
                                              label_ru=competency.label.ru, assessed=False, observed=0,
                                              total=len(indicators.effective) if indicators else 0, meets=None))
            findings.append(Finding(rule="competency.not_assessed",
                                    clause=rule.public_services_clause or rule.clause if exempt else "App. 4",
                                    detail=f"{competency.key}: " + ("no public services in the duties" if exempt
                                                                    else f"no indicators in group {group.id}")))
            continue
        total = len(indicators.effective)
        seen = {i for i in observed_by_key.get(competency.key, set()) if 1 <= i <= total}
        meets = meets_threshold(len(seen), total, rule)
        missing = [t for i, t in enumerate(indicators.effective, start=1) if i not in seen]
        outcomes.append(CompetencyOutcome(
            competency=competency.key, label_kk=competency.label.kk, label_ru=competency.label.ru, assessed=True,
            observed=len(seen), total=total, meets=meets,
            unobserved_kk=[t.kk for t in missing], unobserved_ru=[t.ru for t in missing]))
        findings.append(Finding(rule="competency.three_quarters", clause=rule.clause,
                                detail=f"{competency.key}: {len(seen)} of {total} observed "
                                       f"({rule.threshold_denominator}x{len(seen)} "
                                       f"{'>=' if meets else '<'} {rule.threshold_numerator}x{total})"))
    return group, outcomes, findings
