"""The Jinja context of one document: Evaluation + Profile + EvaluationResult -> plain values.

Values are plain strings, numbers, lists and dicts; the renderer escapes them, so nothing
here builds XML. Every template variable is always present (the renderer is strict): an
unknown value is an empty string or the blank line ``B``. Profile-specific wording comes
from data: the act's ``methodology_title``, the signer labels of ``profile.documents``, and
the per-profile label overrides of ``pipeline/terms.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from pipeline.forms.dates import date_words, due_words, number, period_words
from pipeline.forms.signers import ResolvedSigner, resolve_signers
from pipeline.forms.terms import audience, group_label, labels
from pipeline.model import Employee, Evaluation, Kpi, Person
from pipeline.profile import DocumentSpec, Profile
from pipeline.rules.eligibility import is_head
from pipeline.rules.grades import parse_number
from pipeline.rules.result import EmployeeResult, EvaluationResult

__all__ = ["BLANK", "cell_label", "clause_words", "document_context", "short_name"]

BLANK = "_______________"
_EMPTY4 = ["", "", "", ""]


def short_name(full_name: str) -> str:
    """Surname and initials, as the signature caption asks: ``Сейітқали А.М.``."""
    parts = full_name.split()
    if len(parts) < 2:
        return full_name
    return parts[0] + " " + "".join(f"{p[0]}." for p in parts[1:])


def cell_label(label: str) -> str:
    """A profile label as a table cell prints it: first letter capital (S2/S3 App. 4-8)."""
    return label[:1].upper() + label[1:]


def clause_words(clause: str, lang: str) -> str:
    """``cl. 41`` -> ``41-тармақ`` / ``пункт 41``; ``App. 5`` -> ``5-қосымша`` / ``приложение 5``."""
    def clause_sub(match: re.Match[str]) -> str:
        return f"{match[1]}-тармақ" if lang == "kk" else f"пункт {match[1]}"

    def appendix_sub(match: re.Match[str]) -> str:
        return f"{match[1]}-қосымша" if lang == "kk" else f"приложение {match[1]}"

    text = re.sub(r"cl\.\s*([\d\-–()¶ ]*\d\)?)", clause_sub, clause)
    return re.sub(r"App\.\s*(\d+)", appendix_sub, text)


@cache
def _questions() -> dict[str, Any]:
    text = resources.files("pipeline.forms").joinpath("survey_360_questions.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _person_name(person: Person | None) -> str:
    return short_name(person.full_name) if person else BLANK


def _position(person: Person | None, lang: str) -> str:
    return getattr(person, f"position_{lang}", "") if person else ""


def _signer(line: ResolvedSigner, lang: str) -> dict[str, str]:
    return {"label": line.label[lang], "name": _person_name(line.person),
            "position": _position(line.person, lang), "date": BLANK}


def _appendix(spec: DocumentSpec, profile: Profile, employee: Employee | None, lang: str) -> str:
    if not spec.appendix:
        return ""
    numbers = [n.strip() for n in spec.appendix.split(",")]
    # a shared form with two appendices (App. 7 heads / App. 8 staff) lists them head first
    head = employee is not None and is_head(employee, profile)
    chosen = numbers[0] if head or len(numbers) == 1 else numbers[1]
    title = profile.act.methodology_title[lang]
    return f"{title} {chosen}-қосымша" if lang == "kk" else f"Приложение {chosen} {title}"


def _grade_label(profile: Profile, grade_id: str | None, lang: str) -> str:
    return profile.grade(grade_id).label[lang] if grade_id else ""


def _kpi_rows(employee: Employee, evaluation: Evaluation, lang: str, L: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    quarter = evaluation.period.quarter
    for n, kpi in enumerate((k for k in employee.kpis if not k.is_process_work), start=1):
        rows.append(_kpi_row(n, kpi, quarter, lang, L))
    return rows


def _kpi_row(n: int, kpi: Kpi, quarter: int | None, lang: str, L: dict[str, str]) -> dict[str, Any]:
    """One KPI; the ``*_q`` lists are the four quarter columns of the 2023+ sheets."""
    scored = sorted(kpi.quarter_scores) or ([quarter] if quarter else [])
    active = scored or [1, 2, 3, 4]
    last = quarter or (scored[-1] if scored else 4)
    planned, actual = parse_number(kpi.planned), parse_number(kpi.actual)
    percent = number(100 * actual / planned) if planned and actual is not None else ""
    met = "" if kpi.met is None else (L["kpi_met"] if kpi.met else L["kpi_not_met"])
    due = due_words(kpi.due, lang)
    return {
        "n": n, "title": kpi.title, "source": kpi.source, "unit": kpi.unit,
        "planned": number(kpi.planned), "actual": number(kpi.actual), "due": due,
        "key_result": kpi.key_result, "met_text": met,
        "planned_q": [number(kpi.planned) if q in active else "" for q in (1, 2, 3, 4)],
        "due_q": [due if q in active else "" for q in (1, 2, 3, 4)],
        "actual_q": [number(kpi.actual) if q == last else "" for q in (1, 2, 3, 4)],
        "percent_q": [percent if q == last else "" for q in (1, 2, 3, 4)],
        "score_q": [number(kpi.quarter_scores.get(q, kpi.score if q == quarter else None)) for q in (1, 2, 3, 4)],
    }


def _result(res: EmployeeResult | None, lang: str) -> dict[str, Any]:
    if res is None:
        return {"grade": "", "initial_grade": "", "score": "", "status": ""}
    final = getattr(res, f"final_grade_{lang}") or getattr(res, f"grade_{lang}") or ""
    return {"grade": final, "initial_grade": getattr(res, f"grade_{lang}") or "",
            "score": number(res.score), "status": res.status}


def _competencies(res: EmployeeResult | None, lang: str, L: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for n, c in enumerate(res.competencies if res else [], start=1):
        verdict = L["not_assessed"] if not c.assessed else (L["meets"] if c.meets else L["not_meets"])
        rows.append({"n": n, "label": getattr(c, f"label_{lang}"), "result": verdict,
                     "unobserved": "\n".join(getattr(c, f"unobserved_{lang}")) if c.assessed and not c.meets else ""})
    return rows


def _indicators(profile: Profile, res: EmployeeResult | None, lang: str) -> dict[str, Any]:
    rule = profile.competencies
    group = next((g for g in rule.groups if g.id == res.indicator_group), None) if rule and res else None
    if group is None:
        return {"group": "", "rows": []}
    category = group_label(profile.id, group.id, lang) or group.label
    rows = []
    assessed = {c.competency for c in res.competencies if c.assessed} if res.competencies else None
    for competency in rule.competencies:
        indicators = group.indicators.get(competency.key)
        if indicators is None or (assessed is not None and competency.key not in assessed):
            continue
        rows.append({"label": competency.label[lang], "category": category,
                     "effective": "\n".join(t[lang] for t in indicators.effective),
                     "ineffective": "\n".join(t[lang] for t in indicators.ineffective)})
    return {"group": category, "rows": rows}


def _ranking(employee: Employee, profile: Profile, evaluation: Evaluation, res: EmployeeResult | None,
             lang: str, L: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rule = profile.ranking
    if rule is None:
        return [], []
    quarters = [q for q in employee.ranking if q.evaluated
                and (evaluation.period.quarter is None or q.quarter == evaluation.period.quarter)]
    parameters = []
    for n, parameter in enumerate(rule.parameters, start=1):
        scores = [q.scores[parameter.key] for q in quarters if parameter.key in q.scores]
        parameters.append({"n": n, "label": cell_label(parameter.label[lang]), "criteria": L.get(f"criteria_{n}", ""),
                           "score": number(sum(scores) / len(scores)) if scores else ""})
    computed = res.quarter_scores if res else {}
    quarter_rows = []
    for q in sorted(employee.ranking, key=lambda item: item.quarter):
        if not q.evaluated:
            score = L["not_evaluated"]
        elif q.quarter in computed:
            score = number(computed[q.quarter])
        else:
            score = number(sum(q.scores.values()) / len(q.scores)) if q.scores else ""
        quarter_rows.append({"label": L[f"quarter_{q.quarter}"], "score": score})
    return parameters, quarter_rows


def _survey(profile: Profile, employee: Employee, res: EmployeeResult | None,
            lang: str) -> dict[str, Any]:
    rule = profile.survey_360
    if rule is None:
        return {"survey_competencies": [], "survey_results": [], "survey": {"respondents": ""}}
    head = is_head(employee, profile)
    competencies = rule.head_competencies if head else rule.staff_competencies
    bank = _questions()["head" if head else "staff"]
    asked = [{"n": n, "label": cell_label(c.label[lang]), "questions": "\n".join(bank.get(c.key, {}).get(lang, []))}
             for n, c in enumerate(competencies, start=1)]
    means = res.survey_360 if res else {}
    results = [{"n": n, "label": cell_label(c.label[lang]), "score": number(means.get(c.key))}
               for n, c in enumerate(competencies, start=1)]
    respondents = len(employee.survey_360.respondents) if employee.survey_360 else 0
    return {"survey_competencies": asked, "survey_results": results,
            "survey": {"respondents": str(respondents) if respondents else ""}}


def _calibration(employee: Employee, profile: Profile, lang: str, L: dict[str, str]) -> dict[str, Any]:
    request = employee.calibration
    if request is None:
        return {"applied_on": "", "held_on": "", "proposed_grade": "", "votes": "", "participants": []}
    return {
        "applied_on": date_words(request.applied_on, lang),
        "held_on": date_words(request.held_on, lang) if request.held_on else BLANK,
        "proposed_grade": _grade_label(profile, request.proposed_grade, lang),
        "votes": f"{L['vote_for']} – {request.votes_for_change}, {L['vote_against']} – {request.votes_against_change}",
        "participants": [{"n": n, "name": p.full_name, "position": _position(p, lang)}
                         for n, p in enumerate(request.participants, start=1)],
    }


def _employee(employee: Employee, profile: Profile, lang: str) -> dict[str, Any]:
    return {
        "id": employee.id, "full_name": employee.full_name, "short_name": short_name(employee.full_name),
        "position": _position(employee, lang), "unit": getattr(employee, f"unit_{lang}"),
        "category": employee.category, "iin": employee.iin or "", "is_head": is_head(employee, profile),
    }


def _protocol_rows(evaluation: Evaluation, profile: Profile, result: EvaluationResult,
                   lang: str, L: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    considered = [r for r in result.employees if r.status in ("evaluated", "without_participation")]
    people = {e.id: e for e in evaluation.employees}
    for n, res in enumerate(considered, start=1):
        employee = people[res.employee]
        detail = ""
        if res.kpis_total is not None and res.kpis_met is not None:
            detail = L["kpis_met_of"].format(met=res.kpis_met, total=res.kpis_total)
        elif res.score is not None:
            detail = f"{L['score_word']}: {number(res.score)}"
        initial = getattr(res, f"grade_{lang}") or ""
        final = getattr(res, f"final_grade_{lang}") or initial
        decision = employee.decision
        correction = ""
        if final != initial:
            correction = final + (f" ({decision.correction_note})" if decision and decision.correction_note else "")
        rows.append({"n": n, "name": employee.full_name, "info": initial, "detail": detail,
                     "correction": correction, "recommendation": decision.recommendation if decision else ""})
    return rows


def _schedule(evaluation: Evaluation, result: EvaluationResult, lang: str) -> list[dict[str, Any]]:
    names = {e.id: e.full_name for e in evaluation.employees}
    return [{"n": n, "label": getattr(d, f"label_{lang}"), "due": date_words(d.due, lang),
             "employee": names.get(d.employee, "") if d.employee else "",
             "clause": clause_words(d.clause, lang)}
            for n, d in enumerate(result.schedule, start=1)]


def document_context(spec: DocumentSpec, evaluation: Evaluation, profile: Profile, result: EvaluationResult,
                     lang: str, employee: Employee | None = None) -> dict[str, Any]:
    """Everything the template of ``spec.form`` may print, in ``lang``."""
    L = labels(spec.form, profile.id, lang)
    lines = resolve_signers(spec, evaluation, employee)
    approver = next((line for line in lines if line.approves), None)
    org = evaluation.organisation
    commission = evaluation.commission
    sitting = commission.sitting if commission else None
    res = result.for_employee(employee.id) if employee else None
    context: dict[str, Any] = {
        "B": BLANK,
        "L": L,
        "lang": lang,
        "form": spec.form,
        "audience": audience(spec.form) or "",
        "appendix_header": _appendix(spec, profile, employee, lang),
        "organisation": {"name": getattr(org, f"name_{lang}"), "bin": org.bin or "",
                         "city": getattr(org, f"city_{lang}")},
        "period": {"year": evaluation.period.year, "quarter": evaluation.period.quarter or "",
                   "text": period_words(evaluation.period.year, evaluation.period.quarter, lang)},
        "approver": _signer(approver, lang) if approver else None,
        "signers": [_signer(line, lang) for line in lines if not line.approves],
        "commission": {"conclusion": sitting.conclusion if sitting else "",
                       "date": date_words(sitting.date, lang) if sitting else BLANK,
                       "place": sitting.place if sitting else ""},
        "rows": _protocol_rows(evaluation, profile, result, lang, L) if employee is None else [],
        "schedule": _schedule(evaluation, result, lang) if employee is None else [],
    }
    if employee is None:
        return context
    parameters, quarter_rows = _ranking(employee, profile, evaluation, res, lang, L)
    acquaintance = employee.acquaintance
    clause = profile.notification.refusal_act_clause or spec.clause
    context.update({
        "employee": _employee(employee, profile, lang),
        "evaluator": {"full_name": employee.direct_manager.full_name,
                      "position": _position(employee.direct_manager, lang)},
        "kpis": _kpi_rows(employee, evaluation, lang, L),
        "result": _result(res, lang),
        "competencies": _competencies(res, lang, L),
        "indicators": _indicators(profile, res, lang),
        "parameters": parameters,
        "quarter_rows": quarter_rows,
        "calibration": _calibration(employee, profile, lang, L),
        "act": {"date": date_words(acquaintance.on, lang) if acquaintance and acquaintance.on else BLANK,
                "place": getattr(org, f"city_{lang}") or BLANK,
                "basis": L["basis"].format(clause=clause_words(clause, lang)) if "basis" in L else ""},
        **_survey(profile, employee, res, lang),
    })
    return context
