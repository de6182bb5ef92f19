"""360 survey (alatau-2024 cl. 33-35): mean of the respondents only; it never changes the grade (cl. 9)."""

from __future__ import annotations

from decimal import Decimal

from pipeline.model import Survey360
from pipeline.profile import Survey360Rule
from pipeline.rules.grades import mean
from pipeline.rules.result import Finding

__all__ = ["survey_means"]


def survey_means(survey: Survey360, rule: Survey360Rule) -> tuple[dict[str, Decimal], list[Finding]]:
    """Competency key -> mean of the respondents' scores; the self-assessment is shown, not counted."""
    keys = sorted({k for r in survey.respondents for k in r.scores})
    means = {k: mean(r.scores[k] for r in survey.respondents if k in r.scores) for k in keys}
    findings = [Finding(rule="survey_360.mean", clause=rule.clause,
                        detail=f"{len(survey.respondents)} respondent(s); self-assessment "
                               f"{'counted' if rule.self_assessment_counted else 'not counted'}")]
    if rule.self_assessment_counted:
        means = {k: mean([*(r.scores[k] for r in survey.respondents if k in r.scores), survey.self_assessment[k]])
                 if k in survey.self_assessment else v for k, v in means.items()}
    return means, findings
