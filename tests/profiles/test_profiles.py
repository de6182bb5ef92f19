"""The five bundled methodology profiles: they load, and what they quote is in their seed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.errors import ProfileError
from pipeline.profile import (
    Profile,
    available_profiles,
    load_profile,
    normalise_category,
)

from .seedtext import fold, in_seed, in_seed_in_two_pieces

PROFILES = ("udp-2018", "atyrau-2018", "almaty-2023", "alatau-2024", "vssk-2018")
PROFILE_DIR = Path(__file__).resolve().parents[2] / "pipeline" / "profiles"
REFERENCE = Path("/work/shared/reference")

FORMS_2018 = {"work_plan", "kpi_sheet", "competency_sheet", "commission_protocol", "refusal_act",
              "schedule_notice", "results_acquaintance"}
FORMS = {
    "udp-2018": FORMS_2018,
    "atyrau-2018": FORMS_2018,
    "vssk-2018": FORMS_2018,
    "almaty-2023": {"work_plan", "kpi_sheet", "commission_protocol", "schedule_notice", "results_notice"},
    "alatau-2024": {"work_plan_head", "kpi_sheet_head", "ranking_sheet", "survey_360_head",
                    "survey_360_staff", "survey_360_report", "calibration_protocol", "results_notice"},
}
# profiles whose grade labels are quoted from their own seed (vssk's are inferred: base not in seed)
GRADES_FROM_SEED = ("udp-2018", "atyrau-2018", "almaty-2023", "alatau-2024")
PRINT_READING = re.compile(r'# (\w+) print reading; source: (".*")\n\s*(?:- )?kk: (".*")')


def _profile(name: str) -> Profile:
    return load_profile(name)


def _print_readings(name: str) -> dict[str, tuple[str, str]]:
    """print text -> (reading id, source string), from the profile file's comments."""
    raw = (PROFILE_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    return {json.loads(text): (rid, json.loads(src)) for rid, src, text in PRINT_READING.findall(raw)}


def test_all_five_are_bundled_and_load() -> None:
    assert set(PROFILES) <= set(available_profiles())
    assert "_base-2018" not in available_profiles()
    for name in PROFILES:
        profile = _profile(name)
        assert profile.id == name
        assert profile.act.seed and in_seed(profile.act.number, profile.act.seed)


@pytest.mark.parametrize("name", GRADES_FROM_SEED)
def test_grade_labels_are_verbatim(name: str) -> None:
    profile = _profile(name)
    for grade in profile.grades:
        assert in_seed(grade.label.kk_verbatim, profile.act.seed), grade.label.kk_verbatim


def test_third_grade_label_differs_between_2023_and_2024() -> None:
    """C7: each profile keeps its own string."""
    assert _profile("almaty-2023").grade("satisfactory").label.kk != \
        _profile("alatau-2024").grade("satisfactory").label.kk


@pytest.mark.parametrize("name", ("udp-2018", "atyrau-2018", "vssk-2018"))
def test_competency_labels_are_verbatim(name: str) -> None:
    profile = _profile(name)
    seed_folded = fold(" ".join(_seed_texts(profile.act.seed))).casefold()
    for comp in profile.competencies.competencies:
        if name == "vssk-2018":   # App. 3 not in seed: App. 4 names, printed in capitals
            assert fold(comp.label.kk_verbatim).casefold() in seed_folded, comp.label.kk_verbatim
        else:
            assert in_seed(comp.label.kk_verbatim, profile.act.seed), comp.label.kk_verbatim


def _seed_texts(seed: str) -> tuple[str, str]:
    from .seedtext import seed_variants
    return seed_variants(seed)


@pytest.mark.parametrize("name", ("udp-2018", "atyrau-2018", "vssk-2018"))
def test_indicators_are_verbatim_or_declared(name: str) -> None:
    profile = _profile(name)
    seed = profile.act.seed
    readings = _print_readings(name)
    for rid, source in readings.values():
        assert in_seed(source, seed), (rid, source)
    checked = 0
    for group in profile.competencies.groups:
        assert in_seed(group.label_verbatim, seed), group.label_verbatim
        for key, indicators in group.indicators.items():
            for item in indicators.effective + indicators.ineffective:
                checked += 1
                if item.kk in readings:
                    assert not in_seed(item.kk, seed)
                    assert item.kk_source == readings[item.kk][1], (group.id, key, item.kk)
                    continue
                quote = item.kk_verbatim
                assert in_seed(quote, seed) or in_seed_in_two_pieces(quote, seed), (group.id, key, quote)
                assert item.ru and item.ru.strip(), (group.id, key, item.kk)
    assert checked > 120


def test_atyrau_print_readings_are_e1_to_e5() -> None:
    readings = _print_readings("atyrau-2018")
    assert sorted(rid for rid, _ in readings.values()) == ["E1", "E2", "E3", "E4", "E5"]
    assert "Үлгілі қызметкерлерді жоғарылату туралы ұсыныстарды қарастырып, енгізеді" in readings
    assert not _print_readings("udp-2018") and not _print_readings("vssk-2018")


def test_udp_russian_indicators_are_the_official_text() -> None:
    official = fold((REFERENCE / "udp-2018.rus.md").read_text(encoding="utf-8"))
    profile = _profile("udp-2018")
    for group in profile.competencies.groups:
        for indicators in group.indicators.values():
            for item in indicators.effective + indicators.ineffective:
                assert fold(item.ru) in official, item.ru


def test_unverified_russian_is_marked() -> None:
    for name in ("atyrau-2018", "vssk-2018"):
        raw = (PROFILE_DIR / f"{name}.yaml").read_text(encoding="utf-8")
        marked = re.findall(r"# ru: unverified.*\n\s*(\w+):", raw)
        assert set(marked) == {"consumer_orientation", "consumer_informing"}, (name, marked)


@pytest.mark.parametrize("name", PROFILES)
def test_form_titles_of_seed_forms_are_verbatim(name: str) -> None:
    profile = _profile(name)
    for doc in profile.documents:
        if not doc.provisional:
            assert in_seed(doc.title.kk_verbatim, profile.act.seed), (doc.form, doc.title.kk_verbatim)


@pytest.mark.parametrize("name", PROFILES)
def test_document_forms_are_the_fixed_ids(name: str) -> None:
    profile = _profile(name)
    forms = [doc.form for doc in profile.documents]
    assert set(forms) == FORMS[name]
    assert len(forms) == len(set(forms))
    for doc in profile.documents:
        assert sum(s.approves for s in doc.signers) <= 1, doc.form
    assert all(d.when != "refused" for d in profile.documents) or name.endswith("2018")


@pytest.mark.parametrize("name", ("udp-2018", "atyrau-2018", "vssk-2018"))
def test_at_most_ten_effective_indicators(name: str) -> None:
    rule = _profile(name).competencies
    for group in rule.groups:
        assert set(group.indicators) == {c.key for c in rule.competencies}, group.id
        for key, indicators in group.indicators.items():
            assert 1 <= len(indicators.effective) <= rule.max_indicators, (group.id, key)


@pytest.mark.parametrize("name", ("udp-2018", "atyrau-2018", "vssk-2018"))
def test_every_category_has_a_group_or_is_documented(name: str) -> None:
    rule = _profile(name).competencies
    for category in _profile(name).categories:
        found = any(rule.group_for(category, head) for head in (True, False))
        assert found or category in rule.no_indicator_categories, category


@pytest.mark.parametrize(("name", "category", "head", "group"), [
    ("udp-2018", "B-4", True, "G2"),        # сектор меңгерушісі
    ("udp-2018", "B-4", False, "G3"),       # бас консультант
    ("udp-2018", "B-2", False, "G2"),
    ("udp-2018", "С-4", False, "G3"),       # Cyrillic С as in the Russian text
    ("atyrau-2018", "E-3", True, "G2"),
    ("atyrau-2018", "E-3", False, "G3"),
    ("atyrau-2018", "E-G-2", True, "G2"),
    ("atyrau-2018", "E-R-1", False, "G1"),
    ("vssk-2018", "В-1", False, "G1"),      # Cyrillic В (E8)
    ("vssk-2018", "B-2", True, "G1"),
    ("vssk-2018", "B-2", False, None),      # U22
    ("vssk-2018", "B-3", False, None),
    ("vssk-2018", "B-5", False, "G2"),
])
def test_group_follows_category_and_head_of_unit(name: str, category: str, head: bool,
                                                 group: str | None) -> None:
    found = _profile(name).competencies.group_for(category, head)
    assert (found.id if found else None) == group


def test_normalise_category_folds_scripts_dashes_and_spaces() -> None:
    assert normalise_category("В-1") == "B-1"            # Cyrillic В
    assert normalise_category(" е-r-2 ") == "E-R-2"
    assert normalise_category("е-р—2") == "E-R-2"        # Cyrillic е, р and an em dash
    assert normalise_category(" c – 4 ") == "C-4"        # en dash, spaces
    assert normalise_category("E\u22123") == "E-3"       # minus sign
    assert normalise_category("b4") == "B-4"             # the dash left out


def test_ambiguity_settings_and_notes() -> None:
    udp, vssk, alatau, almaty = (_profile(n) for n in ("udp-2018", "vssk-2018", "alatau-2024",
                                                        "almaty-2023"))
    assert udp.commission.voting_base == "votes_cast" and udp.commission.min_members == 5
    assert vssk.commission.min_members is None and vssk.commission.quorum_clause == "cl. 30"
    assert udp.eligibility.months_reference == "period_end"
    assert alatau.score_bands.reading == "half_open" and alatau.commission is None
    assert not almaty.deadline("kpis_set").enforced
    for profile, ids in ((udp, ("U1", "U7", "U21")), (vssk, ("X7", "U22")),
                         (alatau, ("U9", "U11", "X1", "X2")), (almaty, ("U19", "X5"))):
        text = " ".join(profile.notes)
        for rid in ids:
            assert f"{rid}:" in text, (profile.id, rid)


def test_deadlines() -> None:
    udp = _profile("udp-2018")
    q4 = udp.deadline("kpi_monitoring_q4")
    assert (q4.kind, q4.month_day) == ("calendar_date", "12-25")
    assert udp.deadline("evaluators_notice").kind == "working_days_before"
    assert _profile("almaty-2023").deadline("evaluators_notice").days == 3
    atyrau = _profile("atyrau-2018")
    assert "kpi_monitoring" not in {d.id for d in atyrau.deadlines}
    assert atyrau.deadline("refusal_dispatch").clause == "cl. 41 ¶2"
    for name in PROFILES:
        for deadline in _profile(name).deadlines:
            assert re.match(r"(cl\.|App\.|ch\.)", deadline.clause), deadline


def test_alatau_scheme() -> None:
    alatau = _profile("alatau-2024")
    assert alatau.kpi.heads_only and alatau.kpi.scoring == "score" and alatau.head_categories == ["E-2"]
    assert [p.key for p in alatau.ranking.parameters] == [
        "quality", "deadlines", "independence_initiative", "labour_discipline"]
    assert len(alatau.survey_360.head_competencies) == 12
    assert len(alatau.survey_360.staff_competencies) == 8
    assert alatau.confidential and alatau.confidentiality_clause == "cl. 15, 20"
    for item in alatau.ranking.parameters + alatau.survey_360.head_competencies:
        assert in_seed(item.label.kk_verbatim, alatau.act.seed), item.label.kk_verbatim


def _write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_eleven_indicators_are_rejected(tmp_path: Path) -> None:
    for base in ("_base-2018", "udp-2018"):
        _write(tmp_path, base, (PROFILE_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    raw = (PROFILE_DIR / "udp-2018.yaml").read_text(encoding="utf-8")
    extra = "".join(f'            - kk: "x{i}"\n              ru: "x{i}"\n' for i in range(8))
    raw = raw.replace('        cooperation:\n          effective:\n',
                      '        cooperation:\n          effective:\n' + extra, 1)
    _write(tmp_path, "bad", raw)
    with pytest.raises(ProfileError) as info:
        load_profile("bad", tmp_path)
    assert "cl. 26" in info.value.render()


def test_unknown_anchor_and_unknown_profile_are_profile_errors(tmp_path: Path) -> None:
    _write(tmp_path, "_base-2018", (PROFILE_DIR / "_base-2018.yaml").read_text(encoding="utf-8"))
    raw = (PROFILE_DIR / "udp-2018.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "bad-anchor", raw + "\ndeadlines:\n  - {id: x, label: {kk: a, ru: b}, "
           "kind: working_days_after, days: 2, anchor: lunch, clause: cl. 1}\n")
    with pytest.raises(ProfileError) as anchor:
        load_profile("bad-anchor", tmp_path)
    assert "bad-anchor.yaml: deadlines" in anchor.value.render() and "'lunch'" in anchor.value.render()
    with pytest.raises(ProfileError) as unknown:
        load_profile("no-such-profile", tmp_path)
    assert "unknown profile «no-such-profile»" in unknown.value.render()


def test_circular_extends_is_a_located_translated_error(tmp_path: Path) -> None:
    _write(tmp_path, "first", "extends: second\n")
    _write(tmp_path, "second", "extends: first\n")
    with pytest.raises(ProfileError) as info:
        load_profile("first", tmp_path)
    assert info.value.render("en") == (f"{tmp_path / 'first.yaml'}: profile «first» is based on itself "
                                       "through 'extends': first -> second -> first")
    assert "өзіне-өзі негізделген" in info.value.render("kk")
    assert "основан сам на себе" in info.value.render("ru")


def test_channels_are_in_the_shared_glossary() -> None:
    import yaml

    glossary = yaml.safe_load((PROFILE_DIR.parent / "glossary.yaml").read_text(encoding="utf-8"))
    for name in PROFILES:
        notification = _profile(name).notification
        used = (notification.acquaintance_channels + notification.refusal_channels
                + notification.registered_channels)
        assert set(used) <= set(glossary["channels"]), (name, set(used) - set(glossary["channels"]))
