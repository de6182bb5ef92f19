"""Commission quorum and votes (udp/atyrau cl. 30-38, almaty cl. 57-65) and calibration votes (alatau cl. 41).

Quorum: ``3 * present >= 2 * members`` in integers, the secretary neither counted nor voting (U2).
Votes: a majority of the votes cast (U1, or of all members), the chair's vote decides a tie, and a
tie with the chair absent is no decision (U3). Calibration: majority of participants, a tie keeps
the evaluator's grade (U13).
"""

from __future__ import annotations

from typing import Literal

from pipeline.model import CalibrationRequest, Commission, CommissionDecision, Member
from pipeline.profile import CalibrationRule, CommissionRule
from pipeline.rules.result import CommissionOutcome, Finding

__all__ = [
    "calibration_changes_grade",
    "commission_outcome",
    "decide",
    "has_quorum",
    "present_voters",
    "quorum_needed",
    "voting_members",
]

Decision = Literal["approve", "review", "no_decision"]


def voting_members(commission: Commission) -> list[Member]:
    """Chair and members; the secretary does not vote (cl. 34) and is not counted (U2)."""
    return [m for m in commission.members if m.role != "secretary"]


def present_voters(commission: Commission) -> set[str]:
    """Ids of the voting members present at the sitting."""
    if commission.sitting is None:
        return set()
    return {m.id for m in voting_members(commission)} & set(commission.sitting.present)


def quorum_needed(members: int, rule: CommissionRule) -> int:
    """Smallest number present that makes a quorum: ceil(2/3 of the members)."""
    return -(-rule.quorum_numerator * members // rule.quorum_denominator)


def has_quorum(members: int, present: int, rule: CommissionRule) -> bool:
    """``кем дегенде үштен екісі`` as ``3 * present >= 2 * members`` (U2)."""
    return members > 0 and rule.quorum_denominator * present >= rule.quorum_numerator * members


def decide(decision: CommissionDecision, commission: Commission, rule: CommissionRule,
           ) -> tuple[Decision, list[Finding]]:
    """The commission's decision on one employee from the valid votes."""
    voters = present_voters(commission)
    valid = [v for v in decision.votes if v.member in voters]
    findings: list[Finding] = []
    if len(valid) != len(decision.votes):
        findings.append(Finding(rule="commission.invalid_votes_ignored", clause=rule.secretary_clause,
                                detail=f"{len(decision.votes) - len(valid)} vote(s) not by a present voting member"))
    approve = sum(v.choice == "approve" for v in valid)
    review = len(valid) - approve
    base = len(voting_members(commission)) if rule.voting_base == "all_members" else len(valid)
    tally = f"approve {approve}, review {review}, base {base} ({rule.voting_base}, U1)"
    if 2 * approve > base:
        return "approve", [*findings, Finding(rule="commission.majority", clause=rule.majority_clause, detail=tally)]
    if 2 * review > base:
        return "review", [*findings, Finding(rule="commission.majority", clause=rule.majority_clause, detail=tally)]
    if approve == review and approve > 0:
        chair = next((m.id for m in commission.members if m.role == "chair"), None)
        chair_vote = next((v.choice for v in valid if v.member == chair), None)
        if chair_vote is not None:
            return chair_vote, [*findings, Finding(rule="commission.casting_vote", clause=rule.majority_clause,
                                                   detail=f"{tally}; tie decided by the chair: {chair_vote}")]
        return "no_decision", [*findings, Finding(rule="commission.tie_without_chair", clause=rule.majority_clause,
                                                  detail=f"{tally}; chair absent: repeat the sitting (U3)")]
    return "no_decision", [*findings, Finding(rule="commission.no_majority", clause=rule.majority_clause,
                                              detail=tally)]


def commission_outcome(commission: Commission, decisions: dict[str, CommissionDecision],
                       rule: CommissionRule) -> tuple[CommissionOutcome, dict[str, list[Finding]]]:
    """Quorum of the sitting and each employee's decision (none without a quorum)."""
    members = len(voting_members(commission))
    present = len(present_voters(commission))
    quorum = has_quorum(members, present, rule)
    needed = quorum_needed(members, rule)
    findings = [Finding(rule="commission.quorum", clause=rule.quorum_clause,
                        detail=f"{present} of {members} voting members present, {needed} needed "
                               f"({rule.quorum_denominator}x{present} {'>=' if quorum else '<'} "
                               f"{rule.quorum_numerator}x{members})")]
    if commission.sitting is None:
        findings.append(Finding(rule="commission.no_sitting", clause=rule.quorum_clause, detail="no sitting recorded"))
    if rule.min_members is None:
        findings.append(Finding(rule="commission.min_members_unstated", clause=rule.min_members_clause or "cl. 5",
                                detail="the methodology states no minimum size (X7)"))
    results: dict[str, Decision] = {}
    per_employee: dict[str, list[Finding]] = {}
    for employee_id, decision in decisions.items():
        if not quorum:
            results[employee_id] = "no_decision"
            per_employee[employee_id] = [Finding(rule="commission.no_quorum", clause=rule.quorum_clause,
                                                 detail="no quorum: no decision")]
            continue
        results[employee_id], per_employee[employee_id] = decide(decision, commission, rule)
    outcome = CommissionOutcome(members=members, present=present, quorum=quorum, quorum_needed=needed,
                                findings=findings, decisions=results)
    return outcome, per_employee


def calibration_changes_grade(request: CalibrationRequest, rule: CalibrationRule) -> tuple[bool, Finding]:
    """True if the session adopted the proposed grade: a majority of participants (cl. 41); tie -> status quo (U13)."""
    base = len(request.participants) or request.votes_for_change + request.votes_against_change
    tally = f"for {request.votes_for_change}, against {request.votes_against_change}, participants {base}"
    if request.proposed_grade is not None and 2 * request.votes_for_change > base:
        return True, Finding(rule="calibration.majority", clause=rule.clause, detail=f"{tally}: grade changed")
    if request.votes_for_change == request.votes_against_change:
        return False, Finding(rule="calibration.tie_status_quo", clause=rule.clause,
                              detail=f"{tally}: tie, the evaluator's grade stands (U13)")
    return False, Finding(rule="calibration.majority", clause=rule.clause, detail=f"{tally}: grade kept")
