"""Who signs a document: the profile's ``documents[].signers`` roles resolved to people.

A role resolves from the evaluation: the employee, the direct manager, the superior, the
commission's chair, present members and secretary, HR, the refusal-act witnesses, the
calibration participants. Roles that stand for several people (commission members,
calibration participants) expand to one line each; a role listed twice (two witnesses)
takes the next person each time. A role nobody fills keeps its line with no name.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import Employee, Evaluation, Person
from pipeline.profile import DocumentSpec, Text

__all__ = ["ResolvedSigner", "resolve_signers"]

_MULTI = {"commission_member", "calibration_participant"}


@dataclass(frozen=True)
class ResolvedSigner:
    role: str
    label: Text
    approves: bool
    person: Person | None


def _candidates(role: str, evaluation: Evaluation, employee: Employee | None) -> list[Person]:
    commission = evaluation.commission
    members = commission.members if commission else []
    present = set(commission.sitting.present) if commission and commission.sitting else None
    by_role = {
        "commission_chair": [m for m in members if m.role == "chair"],
        "commission_secretary": [m for m in members if m.role == "secretary"],
        "commission_member": [m for m in members if m.role == "member" and (present is None or m.id in present)],
        "authorised_person": [commission.approved_by] if commission and commission.approved_by else [],
        "hr": [evaluation.hr],
    }
    if role in by_role:
        return by_role[role]
    if employee is None:
        return []
    first_head = [employee.direct_manager] if employee.manager_is_first_head else []
    acquaintance = employee.acquaintance
    return {
        "employee": [employee],
        "direct_manager": [employee.direct_manager],
        "evaluator": [employee.direct_manager],
        "superior": [employee.superior] if employee.superior else first_head,
        "first_head": first_head,
        "witness": [w for w in acquaintance.witnesses if w.id != evaluation.hr.id] if acquaintance else [],
        "calibration_participant": list(employee.calibration.participants) if employee.calibration else [],
    }.get(role, [])


def resolve_signers(spec: DocumentSpec, evaluation: Evaluation, employee: Employee | None) -> list[ResolvedSigner]:
    """The signature lines of ``spec`` in profile order, each with its person (or ``None``)."""
    used: dict[str, int] = {}
    lines: list[ResolvedSigner] = []
    for signer in spec.signers:
        people = _candidates(signer.role, evaluation, employee)
        if signer.role in _MULTI:
            lines += [ResolvedSigner(signer.role, signer.label, signer.approves, p) for p in people or [None]]
            continue
        index = used.get(signer.role, 0)
        used[signer.role] = index + 1
        person = people[index] if index < len(people) else None
        lines.append(ResolvedSigner(signer.role, signer.label, signer.approves, person))
    return lines
