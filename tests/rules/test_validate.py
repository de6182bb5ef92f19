"""validate(): every rule violation, located, with its clause, all at once."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.errors import Issue
from pipeline.i18n import format_issue
from pipeline.model import Evaluation
from pipeline.read.source import format_path
from pipeline.rules.validate import validate
from tests.rules.builders import commission, employee, evaluation, kpis, profile


def _competencies(pid: str) -> list[dict[str, Any]]:
    return [{"competency": c.key, "observed": [1]} for c in profile(pid).competencies.competencies]


def _udp(**extra: Any) -> dict[str, Any]:
    data = employee(kpis=kpis(5), competencies=_competencies("udp-2018"),
                    decision={"votes": [{"member": f"c{i}", "choice": "approve"} for i in range(1, 6)]})
    data.update(extra)
    return data


def _alatau_staff(**extra: Any) -> dict[str, Any]:
    p = profile("alatau-2024")
    keys = [x.key for x in p.ranking.parameters]
    staff = [c.key for c in p.survey_360.staff_competencies]
    data = employee("s1", category="E-4", ranking=[{"quarter": 3, "scores": {k: 4 for k in keys}}],
                    survey_360={"self_assessment": {staff[0]: 5},
                                "respondents": [{"relation": "peer", "scores": {staff[0]: 3}}] * 3})
    data.update(extra)
    return data


def _keys(ev: Evaluation, pid: str) -> list[str]:
    return [i.key for i in validate(ev, profile(pid))]


def _one(ev: Evaluation, pid: str, key: str) -> Issue:
    found = [i for i in validate(ev, profile(pid)) if i.key == key]
    assert found, f"{key} not reported"
    return found[0]


def test_a_clean_evaluation_has_no_issue() -> None:
    assert validate(evaluation("udp-2018", [_udp()]), profile("udp-2018")) == []
    assert validate(evaluation("alatau-2024", [_alatau_staff()], quarter=3, commission_data=None),
                    profile("alatau-2024")) == []


def test_locate_is_called_with_model_paths() -> None:
    paths: list[tuple] = []
    ev = evaluation("udp-2018", [_udp(), _udp(kpis=kpis(4, total=4))])
    issues = validate(ev, profile("udp-2018"), lambda p: paths.append(p) or f"file.yaml: {format_path(p)}")
    assert ("employees", 1, "kpis") in paths
    assert issues[0].location == "file.yaml: employees[1].kpis"
    assert format_path(("employees", 2, "kpis", 0, "score")) == "employees[2].kpis[0].score"


@pytest.mark.parametrize(("count", "bad"), [(4, True), (6, True), (5, False)])
def test_udp_kpi_count(count: int, bad: bool) -> None:
    issues = _keys(evaluation("udp-2018", [_udp(kpis=kpis(count, total=count))]), "udp-2018")
    assert ("rules.kpi.count" in issues) is bad


@pytest.mark.parametrize(("count", "bad"), [(2, True), (3, False), (5, False), (6, True)])
def test_alatau_head_kpi_count(count: int, bad: bool) -> None:
    head = employee("h1", category="Е-2", is_head_of_unit=True,
                    kpis=[{"title": f"k{i}", "quarter_scores": {3: 4}} for i in range(count)])
    issue = [i for i in validate(evaluation("alatau-2024", [head], quarter=3, commission_data=None),
                                 profile("alatau-2024")) if i.key == "rules.kpi.count"]
    assert bool(issue) is bad
    if bad:
        assert issue[0].clause == profile("alatau-2024").kpi.count_clause


def test_process_work_kpi() -> None:
    items = kpis(5)
    items[2]["is_process_work"] = True
    issue = _one(evaluation("udp-2018", [_udp(kpis=items)]), "udp-2018", "rules.kpi.process_work")
    assert issue.location == "employees[0].kpis[2].is_process_work" and issue.clause == "cl. 2(5)"


@pytest.mark.parametrize("score", [5.01, -0.01])
def test_scores_outside_0_to_5(score: float) -> None:
    p = profile("alatau-2024")
    key = p.ranking.parameters[0].key
    staff = _alatau_staff()
    staff["ranking"][0]["scores"][key] = score
    issue = _one(evaluation("alatau-2024", [staff], quarter=3, commission_data=None), "alatau-2024", "rules.score.range")
    assert issue.location == f"employees[0].ranking[0].scores.{key}" and issue.value == score


def test_commission_composition_and_sitting() -> None:
    data = commission(members=4)
    data["members"].append(dict(data["members"][1]))                   # duplicate id c2
    data["sitting"]["secret_ballot"] = True
    data["sitting"]["present"].append("x9")
    keys = _keys(evaluation("udp-2018", [_udp()], commission_data=data), "udp-2018")
    for key in ("rules.commission.duplicate_member", "rules.commission.secret_ballot",
                "rules.commission.present_unknown"):
        assert key in keys
    small = _one(evaluation("udp-2018", [_udp()], commission_data=commission(members=4)), "udp-2018",
                 "rules.commission.min_members")
    assert small.clause == profile("udp-2018").commission.min_members_clause
    assert "rules.commission.min_members" not in _keys(
        evaluation("vssk-2018", [_udp(category="B-4", competencies=_competencies("vssk-2018"))],
                   commission_data=commission(members=4)), "vssk-2018")


def test_votes_by_secretary_non_member_absentee_and_twice() -> None:
    votes = [{"member": "s1", "choice": "approve"}, {"member": "zz", "choice": "approve"},
             {"member": "c5", "choice": "approve"}, {"member": "c1", "choice": "approve"},
             {"member": "c1", "choice": "approve"}]
    ev = evaluation("udp-2018", [_udp(decision={"votes": votes})], commission_data=commission(members=5, present=4))
    issues = {i.key: i for i in validate(ev, profile("udp-2018"))}
    assert issues["rules.commission.secretary_votes"].clause == "cl. 34"
    assert issues["rules.commission.secretary_votes"].location == "employees[0].decision.votes[0].member"
    assert issues["rules.commission.vote_non_member"].value == "zz"
    assert issues["rules.commission.vote_absent"].value == "c5"
    assert issues["rules.commission.duplicate_vote"].location == "employees[0].decision.votes[4].member"


def test_review_without_correction() -> None:
    review = {"votes": [{"member": f"c{i}", "choice": "review"} for i in range(1, 6)]}
    issue = _one(evaluation("udp-2018", [_udp(decision=review)]), "udp-2018",
                 "rules.commission.review_without_correction")
    assert issue.clause == "cl. 38"
    fixed = {**review, "corrected_grade": "satisfactory"}
    assert "rules.commission.review_without_correction" not in _keys(evaluation("udp-2018", [_udp(decision=fixed)]),
                                                                     "udp-2018")


@pytest.mark.parametrize(("count", "bad"), [(2, True), (3, False), (7, False), (8, True)])
def test_360_respondents(count: int, bad: bool) -> None:
    staff = _alatau_staff()
    staff["survey_360"]["respondents"] = [staff["survey_360"]["respondents"][0]] * count
    keys = _keys(evaluation("alatau-2024", [staff], quarter=3, commission_data=None), "alatau-2024")
    assert ("rules.survey360.respondents" in keys) is bad


def test_360_head_competency_for_staff() -> None:
    p = profile("alatau-2024")
    head_only = next(c.key for c in p.survey_360.head_competencies
                     if c.key not in {s.key for s in p.survey_360.staff_competencies})
    staff = _alatau_staff()
    staff["survey_360"]["respondents"] = [{"relation": "peer", "scores": {head_only: 4}}] * 3
    issue = _one(evaluation("alatau-2024", [staff], quarter=3, commission_data=None), "alatau-2024",
                 "rules.survey360.head_competency")
    assert issue.value == head_only


def test_competency_key_index_group_and_missing() -> None:
    items = _competencies("udp-2018")
    items[0] = {"competency": "telepathy", "observed": [1]}
    items[1]["observed"] = [1, 9]
    keys = _keys(evaluation("udp-2018", [_udp(competencies=items)]), "udp-2018")
    assert {"rules.competency.unknown", "rules.competency.observed_range", "rules.competency.missing"} <= set(keys)
    vssk = evaluation("vssk-2018", [_udp(category="B-3", competencies=_competencies("vssk-2018"))])
    assert "rules.competency.no_group" in _keys(vssk, "vssk-2018")


@pytest.mark.parametrize(("pid", "witnesses", "channel", "expected"), [
    ("udp-2018", 2, "email", set()),
    ("udp-2018", 1, "email", {"rules.refusal.witnesses"}),
    ("atyrau-2018", 2, "email", {"rules.refusal.channel"}),
    ("atyrau-2018", 2, "intranet_portal", set()),
    ("vssk-2018", 2, "email", {"rules.refusal.channel"}),
    ("vssk-2018", 2, "intranet_portal", set()),
])
def test_refusal_act_and_channel(pid: str, witnesses: int, channel: str, expected: set[str]) -> None:
    category = {"udp-2018": "B-4", "atyrau-2018": "E-4", "vssk-2018": "B-4"}[pid]
    acquaintance = {"refused": True, "channel": channel,
                    "witnesses": [{"id": f"w{i}", "full_name": f"Куә {i}"} for i in range(witnesses)]}
    ev = evaluation(pid, [_udp(category=category, competencies=_competencies(pid), acquaintance=acquaintance)])
    assert {k for k in _keys(ev, pid) if k.startswith("rules.refusal")} == expected


def test_calibration_application_out_of_time() -> None:
    late = _alatau_staff(acquaintance={"on": "2024-10-28"}, calibration={"applied_on": "2024-11-05"})
    issue = _one(evaluation("alatau-2024", [late], quarter=3, commission_data=None), "alatau-2024",
                 "rules.calibration.late_application")
    assert issue.params["due"] == "2024-11-04" and issue.clause.startswith("cl. 12")
    on_time = _alatau_staff(acquaintance={"on": "2024-10-28"}, calibration={"applied_on": "2024-11-04"})
    assert "rules.calibration.late_application" not in _keys(
        evaluation("alatau-2024", [on_time], quarter=3, commission_data=None), "alatau-2024")


def test_dates_outside_the_period_and_out_of_order() -> None:
    ev = evaluation("udp-2018", [_udp(appointed_on="2025-02-01", acquaintance={"on": "2024-12-20"})],
                    commission_data=commission(sitting="2023-12-20", completed="2024-12-23"))
    keys = _keys(ev, "udp-2018")
    assert {"rules.date.after_period", "rules.date.before_period", "rules.date.order"} <= set(keys)
    staff = _alatau_staff()
    staff["ranking"][0]["quarter"] = 2
    assert "rules.date.quarter_outside" in _keys(evaluation("alatau-2024", [staff], quarter=3, commission_data=None),
                                                  "alatau-2024")


def test_all_issues_at_once_and_messages_in_three_languages() -> None:
    items = kpis(6, total=6)
    items[0]["is_process_work"] = True
    data = commission(members=4)
    data["sitting"]["secret_ballot"] = True
    ev = evaluation("udp-2018", [_udp(kpis=items, category="Z-9")], commission_data=data)
    issues = validate(ev, profile("udp-2018"))
    assert len({i.key for i in issues}) >= 5
    for issue in issues:
        for lang in ("kk", "ru", "en"):
            text = format_issue(issue, lang)
            assert issue.location in text and "{" not in text and issue.key not in text


def test_every_rules_key_has_kk_ru_en() -> None:
    from pipeline.i18n import _catalogue

    rules_keys = {k: v for k, v in _catalogue().items() if k.startswith("rules.")}
    assert len(rules_keys) > 40
    for key, entry in rules_keys.items():
        assert {"kk", "ru", "en"} <= set(entry), key
        assert entry["kk"] != entry["en"] and entry["ru"] != entry["en"], key


def test_without_participation_needs_a_registered_channel() -> None:
    p = profile("alatau-2024")
    if not p.notification.registered_channels:
        pytest.skip("profile lists no registered channels")
    away = {"absences": [{"kind": "annual_leave", "start": "2024-10-01", "end": "2024-10-20"}]}
    bad = _alatau_staff(acquaintance={"channel": "corridor"}, **away)
    issue = _one(evaluation("alatau-2024", [bad], quarter=3, commission_data=None), "alatau-2024",
                 "rules.notification.registered_channel")
    assert issue.location == "employees[0].acquaintance.channel"
    good = _alatau_staff(acquaintance={"channel": p.notification.registered_channels[0]}, **away)
    assert "rules.notification.registered_channel" not in _keys(
        evaluation("alatau-2024", [good], quarter=3, commission_data=None), "alatau-2024")
