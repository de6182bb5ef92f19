"""Grades: KPI met-count (2018/2023 schemes), 0-5 score bands, ranking and head KPI scores (2024).

Scores are averaged in :class:`~decimal.Decimal` from their typed decimal form, so a boundary
such as 4.00 is never missed by binary rounding (rules.md §5.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from pipeline.model import Kpi, Period, RankingQuarter
from pipeline.profile import KpiRule, RankingRule, ScoreBands
from pipeline.rules.result import Finding

__all__ = [
    "GradeOutcome",
    "band_grade",
    "decimal",
    "head_kpi_grade",
    "kpi_met",
    "mean",
    "met_count_grade",
    "parse_number",
    "ranking_grade",
]

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class GradeOutcome:
    """A computed grade with the numbers behind it and the clauses applied."""

    grade: str | None
    score: Decimal | None = None
    kpis_met: int | None = None
    kpis_total: int | None = None
    quarter_scores: dict[int, Decimal] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


def decimal(value: float | Decimal) -> Decimal:
    """The decimal a user typed: ``3.995`` stays 3.995, not 3.99499999…"""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def mean(values: Iterable[float | Decimal]) -> Decimal:
    """Arithmetic mean, exact in decimal; raises ValueError on no values."""
    items = [decimal(v) for v in values]
    if not items:
        raise ValueError("mean of no values")
    return sum(items, Decimal(0)) / len(items)


def parse_number(value: float | str | None) -> float | None:
    """A KPI value as typed: ``80``, ``"3,5"``, ``"1 000"``, ``"95 %"``; None for other text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = "".join(value.replace(",", ".").replace("%", "").split())
    try:
        return float(text) if text else None
    except ValueError:
        return None


def kpi_met(kpi: Kpi) -> bool:
    """A KPI counts only if achieved in full: ``met``, else ``actual >= planned`` (cl. 18 last ¶)."""
    if kpi.met is not None:
        return kpi.met
    planned, actual = parse_number(kpi.planned), parse_number(kpi.actual)
    if planned is None or actual is None:
        return False
    return decimal(actual) >= decimal(planned)


def met_count_grade(kpis: Sequence[Kpi], rule: KpiRule) -> GradeOutcome:
    """Grade from the number of KPIs met, thresholds highest first (udp/atyrau cl. 18, almaty cl. 49)."""
    met = sum(kpi_met(k) for k in kpis)
    thresholds = sorted(rule.thresholds, key=lambda t: t.min_met, reverse=True)
    grade = next((t.grade for t in thresholds if met >= t.min_met), None)
    findings = [Finding(rule="grade.kpi_count", clause=rule.scoring_clause,
                        detail=f"{met} of {len(kpis)} KPIs met in full -> {grade}")]
    findings += [Finding(rule="grade.kpi_not_full", clause=rule.scoring_clause,
                         detail=f"KPI {i + 1} not achieved in full ({k.actual} of {k.planned})")
                 for i, k in enumerate(kpis) if k.met is None and not kpi_met(k) and parse_number(k.planned) is not None]
    return GradeOutcome(grade=grade, kpis_met=met, kpis_total=len(kpis), findings=tuple(findings))


def band_grade(score: float | Decimal, bands: ScoreBands) -> str:
    """The grade whose band holds ``score`` (cl. 7), in the profile's reading of U9.

    ``half_open``: bands are ``[min, next band's min)`` on the unrounded score, the top band closed.
    ``round_2dp``: round half-up to 2 decimals, then look up the same way.
    """
    value = decimal(score)
    if bands.reading == "round_2dp":
        value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    ordered = sorted(bands.bands, key=lambda b: b.min, reverse=True)
    for band in ordered:
        if value >= decimal(band.min):
            return band.grade
    return ordered[-1].grade


def _scored(score: Decimal, bands: ScoreBands, rule: str, clause: str, what: str,
            quarters: dict[int, Decimal] | None = None, extra: Sequence[Finding] = ()) -> GradeOutcome:
    grade = band_grade(score, bands)
    findings = (*extra,
                Finding(rule=rule, clause=clause, detail=f"{what} = {_fmt(score)}"),
                Finding(rule="grade.score_band", clause=bands.clause,
                        detail=f"{_fmt(score)} -> {grade} ({bands.reading} reading, U9)"))
    return GradeOutcome(grade=grade, score=score, quarter_scores=dict(quarters or {}), findings=findings)


def _fmt(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")


def ranking_grade(quarters: Sequence[RankingQuarter], rule: RankingRule, bands: ScoreBands) -> GradeOutcome:
    """Quarterly score = mean of the parameters; annual = mean of the evaluated quarters (cl. 4 ¶2, U10)."""
    keys = [p.key for p in rule.parameters]
    scores = {q.quarter: mean(q.scores[k] for k in keys if k in q.scores)
              for q in sorted(quarters, key=lambda q: q.quarter) if q.evaluated and q.scores}
    if not scores:
        return GradeOutcome(grade=None, findings=(Finding(rule="grade.ranking", clause=rule.clause,
                                                          detail="no evaluated quarter"),))
    skipped = tuple(Finding(rule="grade.ranking_quarter_skipped", clause=rule.clause,
                            detail=f"Q{q.quarter} not evaluated, left out of the mean")
                    for q in quarters if not q.evaluated)
    annual = mean(scores.values())
    what = " ".join(f"Q{q}={_fmt(s)}" for q, s in scores.items()) + f"; mean of {len(scores)} quarter(s)"
    return _scored(annual, bands, "grade.ranking", rule.clause, what, scores, skipped)


def head_kpi_grade(kpis: Sequence[Kpi], period: Period, rule: KpiRule, bands: ScoreBands) -> GradeOutcome:
    """A head's score: mean of the per-KPI 0-5 scores (cl. 27, U10); over a year, mean of the quarters."""
    if period.quarter is not None:
        values = [k.quarter_scores.get(period.quarter, k.score) for k in kpis]
        known = [v for v in values if v is not None]
        if not known:
            return GradeOutcome(grade=None, findings=(Finding(rule="grade.kpi_score", clause=rule.scoring_clause,
                                                              detail="no KPI score"),))
        score = mean(known)
        return _scored(score, bands, "grade.kpi_score", rule.scoring_clause,
                       f"mean of {len(known)} KPI score(s)", {period.quarter: score})
    quarter_ids = sorted({q for k in kpis for q in k.quarter_scores})
    if quarter_ids:
        quarters = {q: mean(k.quarter_scores[q] for k in kpis if q in k.quarter_scores) for q in quarter_ids}
        what = " ".join(f"Q{q}={_fmt(s)}" for q, s in quarters.items()) + f"; mean of {len(quarters)} quarter(s)"
        return _scored(mean(quarters.values()), bands, "grade.kpi_score", rule.scoring_clause, what, quarters)
    known = [k.score for k in kpis if k.score is not None]
    if not known:
        return GradeOutcome(grade=None, findings=(Finding(rule="grade.kpi_score", clause=rule.scoring_clause,
                                                          detail="no KPI score"),))
    return _scored(mean(known), bands, "grade.kpi_score", rule.scoring_clause, f"mean of {len(known)} KPI score(s)")
