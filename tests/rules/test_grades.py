"""Grade boundaries of every profile: rules.md §5.1 and §5.3."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.model import Kpi, Period, RankingQuarter, Survey360
from pipeline.profile import Profile
from pipeline.rules.grades import (
    band_grade,
    head_kpi_grade,
    kpi_met,
    mean,
    met_count_grade,
    ranking_grade,
)
from pipeline.rules.survey360 import survey_means
from tests.rules.builders import profile

LABELS_2018 = {5: "өте жақсы", 4: "тиімді", 3: "қанағаттанарлық", 2: "қанағаттанарлықсыз",
               1: "қанағаттанарлықсыз", 0: "қанағаттанарлықсыз"}
LABELS_ALMATY = {5: "Функционалдық міндеттерді тиімді орындайды",
                 4: "Функционалдық міндеттерді тиісті түрде орындайды",
                 3: "Функционалдық міндеттерін қанағаттанарлық орындайды",
                 2: "Функционалдық міндеттерін қанағаттанарлықсыз орындайды"}
EXCELLENT = "Функционалдық міндеттерді тиімді орындайды"
EFFECTIVE = "Функционалдық міндеттерді тиісті түрде орындайды"
SATISFACTORY = "Функционалдық міндеттерді қанағаттанарлық орындайды"
UNSATISFACTORY = "Функционалдық міндеттерін қанағаттанарлықсыз орындайды"


def _kpis(met: int, total: int = 5) -> list[Kpi]:
    return [Kpi(title=f"k{i}", met=i < met) for i in range(total)]


def _label(p: Profile, grade: str | None) -> str:
    assert grade is not None
    return p.grade(grade).label.kk


@pytest.mark.parametrize("pid", ["udp-2018", "atyrau-2018", "vssk-2018"])
@pytest.mark.parametrize("met", [5, 4, 3, 2, 1, 0])
def test_met_count_2018(pid: str, met: int) -> None:
    p = profile(pid)
    outcome = met_count_grade(_kpis(met), p.kpi)
    assert _label(p, outcome.grade) == LABELS_2018[met]
    assert (outcome.kpis_met, outcome.kpis_total) == (met, 5)
    assert outcome.findings[0].clause.startswith("cl. 18")


@pytest.mark.parametrize("met", [5, 4, 3, 2, 0])
def test_met_count_almaty(met: int) -> None:
    p = profile("almaty-2023")
    outcome = met_count_grade(_kpis(met), p.kpi)
    assert _label(p, outcome.grade) == LABELS_ALMATY[met if met >= 3 else 2]
    assert outcome.findings[0].clause.startswith("cl. 49")


def test_full_achievement_only() -> None:
    p = profile("udp-2018")
    almost = Kpi(title="99.9 %", planned=100, actual=99.9)
    above = Kpi(title="120 %", planned=100, actual=120)
    exact = Kpi(title="exact", planned="50", actual="50")
    assert not kpi_met(almost)
    assert kpi_met(above) and kpi_met(exact)
    assert not kpi_met(Kpi(title="no actual", planned=10))
    assert kpi_met(Kpi(title="explicit", planned=100, actual=50, met=True))     # the manager's record wins
    # typed with a thousands space or a percent sign: read as numbers, not as "not met"
    assert kpi_met(Kpi(title="spaced", planned="1 000", actual="1\u00a0200"))
    assert kpi_met(Kpi(title="percent", planned="95 %", actual="95%"))
    assert not kpi_met(Kpi(title="spaced, short", planned="1 000", actual="999,5"))
    four_and_almost = [*_kpis(4, 4), almost]
    assert met_count_grade(four_and_almost, p.kpi).grade == "effective"
    assert met_count_grade([*_kpis(4, 4), above], p.kpi).grade == "excellent"
    almaty = profile("almaty-2023")
    assert _label(almaty, met_count_grade(four_and_almost, almaty.kpi).grade) == EFFECTIVE


HALF_OPEN = [("5.00", EXCELLENT), ("4.00", EXCELLENT), ("3.999", EFFECTIVE), ("3.99", EFFECTIVE), ("3.00", EFFECTIVE),
             ("2.995", SATISFACTORY), ("2.00", SATISFACTORY), ("1.99", UNSATISFACTORY), ("0.00", UNSATISFACTORY)]
ROUNDED = {"3.999": EXCELLENT, "2.995": EFFECTIVE}


@pytest.mark.parametrize(("score", "label"), HALF_OPEN)
def test_score_bands_both_readings(score: str, label: str) -> None:
    p = profile("alatau-2024")
    assert p.score_bands.reading == "half_open"          # U9 default
    assert _label(p, band_grade(float(score), p.score_bands)) == label
    rounded = p.score_bands.model_copy(update={"reading": "round_2dp"})
    assert _label(p, band_grade(float(score), rounded)) == ROUNDED.get(score, label)


@pytest.mark.parametrize(("quarters", "expected_mean", "half_open", "rounded"), [
    ([4, 4, 3, 3], "3.5", EFFECTIVE, EFFECTIVE),
    ([5, 5, 5, 1], "4", EXCELLENT, EXCELLENT),
    ([4, 4, 4, 3.99], "3.9975", EFFECTIVE, EXCELLENT),
])
def test_ranking_annual_mean_of_quarters(quarters: list[float], expected_mean: str, half_open: str,
                                         rounded: str) -> None:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    data = [RankingQuarter(quarter=i + 1, scores={k: q for k in keys}) for i, q in enumerate(quarters)]
    outcome = ranking_grade(data, p.ranking, p.score_bands)
    assert outcome.score == Decimal(expected_mean)
    assert _label(p, outcome.grade) == half_open
    other = ranking_grade(data, p.ranking, p.score_bands.model_copy(update={"reading": "round_2dp"}))
    assert _label(p, other.grade) == rounded


def test_ranking_quarter_is_the_mean_of_the_four_parameters() -> None:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    outcome = ranking_grade([RankingQuarter(quarter=3, scores=dict(zip(keys, [4, 4, 4, 3], strict=True)))],
                            p.ranking, p.score_bands)
    assert outcome.score == Decimal("3.75")
    assert outcome.quarter_scores == {3: Decimal("3.75")}
    assert _label(p, outcome.grade) == EFFECTIVE


def test_quarter_not_evaluated_is_left_out() -> None:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    data = [RankingQuarter(quarter=1, scores={k: 0 for k in keys}, evaluated=False)]
    data += [RankingQuarter(quarter=q, scores={k: 4 for k in keys}) for q in (2, 3, 4)]
    outcome = ranking_grade(data, p.ranking, p.score_bands)
    assert outcome.score == 4 and outcome.grade == "excellent"
    assert any(f.rule == "grade.ranking_quarter_skipped" for f in outcome.findings)


def test_head_kpi_score_is_the_mean_of_kpi_scores() -> None:
    p = profile("alatau-2024")
    kpis = [Kpi(title="a", quarter_scores={3: 4}), Kpi(title="b", quarter_scores={3: 4}),
            Kpi(title="c", quarter_scores={3: 3.97})]
    outcome = head_kpi_grade(kpis, Period(year=2024, quarter=3), p.kpi, p.score_bands)
    assert outcome.score == mean([4, 4, 3.97]) and outcome.grade == "effective"
    year = head_kpi_grade(kpis, Period(year=2024), p.kpi, p.score_bands)
    assert year.quarter_scores == {3: outcome.score}
    plain = head_kpi_grade([Kpi(title="a", score=5), Kpi(title="b", score=3), Kpi(title="c", score=4)],
                           Period(year=2024, quarter=2), p.kpi, p.score_bands)
    assert plain.score == 4 and plain.grade == "excellent"


def test_360_uses_respondents_only() -> None:
    p = profile("alatau-2024")
    key = p.survey_360.staff_competencies[0].key
    survey = Survey360(self_assessment={key: 5.0},
                       respondents=[{"relation": "peer", "scores": {key: s}} for s in (2, 3, 4)])
    means, findings = survey_means(survey, p.survey_360)
    assert means == {key: Decimal(3)}
    assert "not counted" in findings[0].detail


def test_mean_is_exact_in_decimal() -> None:
    assert mean([4.1, 3.9]) == 4
    assert mean([0.1, 0.2, 0.3]) == Decimal("0.2")
    with pytest.raises(ValueError):
        mean([])
