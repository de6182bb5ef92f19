"""Quorum and votes (rules.md §5.4) and calibration votes (U13)."""

from __future__ import annotations

import pytest

from pipeline.model import CalibrationRequest, Commission, CommissionDecision
from pipeline.rules.commission import (
    calibration_changes_grade,
    commission_outcome,
    decide,
    has_quorum,
    quorum_needed,
)
from tests.rules.builders import commission, profile

RULE = profile("udp-2018").commission


@pytest.mark.parametrize(("members", "present", "quorum"), [
    (5, 4, True), (5, 3, False), (6, 4, True), (6, 3, False), (7, 5, True), (7, 4, False),
    (8, 6, True), (8, 5, False), (9, 6, True), (9, 5, False), (5, 5, True), (5, 0, False),
])
def test_quorum_table(members: int, present: int, quorum: bool) -> None:
    assert has_quorum(members, present, RULE) is quorum
    assert (present >= quorum_needed(members, RULE)) is quorum


def test_secretary_is_not_counted_for_quorum() -> None:
    c = Commission.model_validate(commission(members=6, present=3))        # secretary also present
    outcome, _ = commission_outcome(c, {}, RULE)
    assert (outcome.members, outcome.present, outcome.quorum, outcome.quorum_needed) == (6, 3, False, 4)


def _votes(c: Commission, approve: list[str], review: list[str]) -> CommissionDecision:
    return CommissionDecision(votes=[{"member": m, "choice": "approve"} for m in approve]
                              + [{"member": m, "choice": "review"} for m in review])


def test_tie_decided_by_the_chair() -> None:
    c = Commission.model_validate(commission(members=5, present=4))         # c1 (chair) .. c4
    assert decide(_votes(c, ["c1", "c2"], ["c3", "c4"]), c, RULE)[0] == "approve"
    decision, findings = decide(_votes(c, ["c3", "c4"], ["c1", "c2"]), c, RULE)
    assert decision == "review" and findings[-1].rule == "commission.casting_vote"
    assert findings[-1].clause == RULE.majority_clause


def test_tie_with_the_chair_absent_is_no_decision() -> None:
    data = commission(members=7, present=7)
    data["sitting"]["present"] = ["c2", "c3", "c4", "c5", "c6", "c7", "s1"]
    c = Commission.model_validate(data)
    decision, findings = decide(_votes(c, ["c2", "c3", "c4"], ["c5", "c6", "c7"]), c, RULE)
    assert decision == "no_decision" and findings[-1].rule == "commission.tie_without_chair"


def test_majority_of_votes_cast_vs_all_members() -> None:
    c = Commission.model_validate(commission(members=7, present=5))
    votes = _votes(c, ["c1", "c2", "c3"], ["c4", "c5"])
    assert decide(votes, c, RULE)[0] == "approve"                                    # U1 default
    all_members = RULE.model_copy(update={"voting_base": "all_members"})
    assert decide(votes, c, all_members)[0] == "no_decision"                         # 3 < 4 of 7


def test_votes_of_secretary_and_absentees_are_ignored() -> None:
    c = Commission.model_validate(commission(members=5, present=4))
    decision, findings = decide(_votes(c, ["c1", "s1", "c5"], ["c2", "c3"]), c, RULE)
    assert decision == "review"                                                      # 1 approve vs 2 review
    assert findings[0].rule == "commission.invalid_votes_ignored"


def test_no_quorum_means_no_decision() -> None:
    c = Commission.model_validate(commission(members=5, present=3))
    outcome, per_employee = commission_outcome(c, {"e1": _votes(c, ["c1", "c2", "c3"], [])}, RULE)
    assert outcome.decisions == {"e1": "no_decision"}
    assert per_employee["e1"][0].rule == "commission.no_quorum"


def test_vssk_has_no_minimum_size_and_says_so() -> None:
    rule = profile("vssk-2018").commission
    assert rule.min_members is None
    outcome, _ = commission_outcome(Commission.model_validate(commission(members=4)), {}, rule)
    assert any(f.rule == "commission.min_members_unstated" for f in outcome.findings)


@pytest.mark.parametrize(("participants", "for_", "against", "changed", "rule"), [
    (5, 3, 2, True, "calibration.majority"),
    (4, 2, 2, False, "calibration.tie_status_quo"),
    (5, 2, 2, False, "calibration.tie_status_quo"),     # one abstained: no majority of participants
    (5, 1, 4, False, "calibration.majority"),
    (0, 2, 1, True, "calibration.majority"),            # no participant list: majority of votes cast
])
def test_calibration_votes(participants: int, for_: int, against: int, changed: bool, rule: str) -> None:
    request = CalibrationRequest(applied_on="2024-11-04", participants=[{"id": f"p{i}", "full_name": f"P {i}"}
                                                                        for i in range(participants)],
                                 votes_for_change=for_, votes_against_change=against, proposed_grade="excellent")
    result, finding = calibration_changes_grade(request, profile("alatau-2024").calibration)
    assert result is changed and finding.rule == rule
