"""YAML and JSON input: located messages in three languages, exit codes, limits."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import yaml

from pipeline.errors import InputError, ValidationFailed
from pipeline.read import MAX_INPUT_BYTES, load_evaluation
from tests.read.conftest import PROFILES, example_text, run_cli


def write(tmp_path: Path, text: str, name: str = "evaluation.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("profile", PROFILES)
def test_examples_are_valid(profile: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "validate", f"examples/{profile}/evaluation.yaml", "--lang", "en")
    assert (code, err) == (0, "")
    assert f"profile {profile}" in out


def test_bad_date_located_by_line_in_three_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = example_text("udp-2018").replace("appointed_on: 2019-09-16", "appointed_on: 16/09/2019")
    path = write(tmp_path, text)
    line = text.splitlines().index("    appointed_on: 16/09/2019") + 1
    code, out, err = run_cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 1 and out == ""
    assert f"evaluation.yaml: employees[1].appointed_on (line {line}): expected a date written as YYYY-MM-DD" in err
    assert "«16/09/2019»" in err
    _, _, err_kk = run_cli(capsys, "validate", str(path), "--lang", "kk")
    assert f"employees[1].appointed_on (line {line}): күн ЖЖЖЖ-АА-КК түрінде жазылуы тиіс" in err_kk
    _, _, err_ru = run_cli(capsys, "validate", str(path), "--lang", "ru")
    assert "дата должна быть записана как ГГГГ-ММ-ДД" in err_ru
    assert "Traceback" not in err + err_kk + err_ru


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    text = (example_text("udp-2018")
            .replace("id: e2\n", "id: e1\n")
            .replace("appointed_on: 2020-05-04", "appointed_on: tomorrow")
            .replace("{member: k5, choice: review}", "{member: k5, choice: maybe}")
            .replace("period:\n  year: 2024", "period:\n  year: 2024\n  month: 3"))
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(write(tmp_path, text))
    rendered = caught.value.render("en")
    assert "employees[1].id" in rendered and "the id «e1» is used twice" in rendered
    assert "employees[4].appointed_on" in rendered
    assert "employees[2].decision.votes[4].choice" in rendered and "expected one of: approve, review" in rendered
    assert "period.month" in rendered and "unknown field «month»" in rendered
    assert len(caught.value.issues) == 4


def test_unknown_profile_lists_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, example_text("udp-2018").replace("profile: udp-2018", "profile: udp-2019"))
    code, _, err = run_cli(capsys, "validate", str(path), "--lang", "ru")
    assert code == 1
    assert "evaluation.yaml: profile (line 4): неизвестный профиль «udp-2019»" in err
    assert all(profile in err for profile in PROFILES)


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "profile: udp-2018\nperiod:\n  year: [2024\nhr: {}\n")
    code, _, err = run_cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 1
    assert "evaluation.yaml (line 4, column 3): YAML syntax error" in err
    _, _, err_kk = run_cli(capsys, "validate", str(path), "--lang", "kk")
    assert "YAML синтаксис қатесі" in err_kk


def test_yaml_on_key_and_duplicate_keys(tmp_path: Path) -> None:
    """``on:`` is a field name, not a YAML 1.1 boolean; a key written twice is an error."""
    evaluation, _ = load_evaluation("examples/udp-2018/evaluation.yaml")
    assert evaluation.employees[0].acquaintance.on == dt.date(2025, 1, 16)
    text = example_text("udp-2018").replace("  year: 2024\n", "  year: 2024\n  year: 2025\n")
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(write(tmp_path, text))
    first = text.splitlines().index("  year: 2024") + 1
    assert (f"period.year (line {first + 1}): the key «year» is written twice (first on line {first})"
            in caught.value.render())


@pytest.mark.parametrize(("change", "where", "expected"), [
    (("date: 2025-01-14", "date: 2026-01-14"), "commission.sitting.date",
     "the date «2026-01-14» is outside 2024-01-01 – 2025-06-30"),
    (('due: "2024-12-01"', 'due: "2023-12-01"'), "employees[0].kpis[2].due",
     "the date «2023-12-01» is outside the evaluated period 2024-01-01 – 2024-12-31"),
    (("{member: k5, choice: review}", "{member: k9, choice: review}"), "employees[2].decision.votes[4].member",
     "«k9» is not a member of the commission"),
    (("category: B-6", "category: Z-1"), "employees[3].category", "category «Z-1» is not in the profile udp-2018"),
    (("{competency: initiative, observed: [1]}", "{competency: charisma, observed: [1]}"),
     "employees[0].competencies[7].competency", "competency «charisma» is not in the profile udp-2018"),
])
def test_profile_and_date_checks(tmp_path: Path, change: tuple[str, str], where: str, expected: str) -> None:
    text = example_text("udp-2018").replace(*change, 1)
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(write(tmp_path, text))
    rendered = caught.value.render("en")
    assert f"evaluation.yaml: {where} (line " in rendered
    assert expected in rendered


def test_score_range_and_text_in_score(tmp_path: Path) -> None:
    text = (example_text("alatau-2024")
            .replace("quarter_scores: {1: 5, 2: 4.5, 3: 5, 4: 4.5}", "quarter_scores: {1: 7, 2: жақсы, 3: 5, 4: 4.5}"))
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(write(tmp_path, text))
    rendered = caught.value.render("kk")
    assert "employees[0].kpis[0].quarter_scores[2] (line" in rendered
    assert "сан күтіледі" in rendered and "«жақсы»" in rendered
    text = text.replace("2: жақсы", "2: 4")
    with pytest.raises(ValidationFailed) as caught:
        load_evaluation(write(tmp_path, text))
    assert "employees[0].kpis[0].quarter_scores[1] (line" in caught.value.render("en")
    assert "score 7.0 is outside 0.0–5.0" in caught.value.render("en")


@pytest.mark.parametrize("profile", PROFILES)
def test_json_equals_yaml(profile: str, tmp_path: Path) -> None:
    data = yaml.safe_load(example_text(profile).replace("\n      on:", "\n      'on':"))
    path = write(tmp_path, json.dumps(data, default=str, ensure_ascii=False, indent=2), "evaluation.json")
    assert load_evaluation(path)[0] == load_evaluation(f"examples/{profile}/evaluation.yaml")[0]


def test_json_errors_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = yaml.safe_load(example_text("udp-2018").replace("\n      on:", "\n      'on':"))
    data["employees"][2]["kpis"][0]["met"] = "perhaps"
    path = write(tmp_path, json.dumps(data, default=str, ensure_ascii=False, indent=1), "evaluation.json")
    code, _, err = run_cli(capsys, "validate", str(path), "--lang", "en")
    assert code == 1
    assert "evaluation.json: employees[2].kpis[0].met (line" in err and "expected yes or no" in err
    broken = write(tmp_path, '{"profile": "udp-2018",\n "period": }', "broken.json")
    code, _, err = run_cli(capsys, "validate", str(broken))
    assert code == 1 and "broken.json (line 2, column 12): JSON syntax error" in err


def test_empty_and_unsupported_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = write(tmp_path, "")
    code, _, err = run_cli(capsys, "validate", str(empty), "--lang", "ru")
    assert code == 1 and "evaluation.yaml: файл пуст" in err
    blank = write(tmp_path, "# only a comment\n", "blank.yaml")
    code, _, err = run_cli(capsys, "validate", str(blank), "--lang", "en")
    assert code == 1 and "blank.yaml: the file is empty" in err
    csv = write(tmp_path, "a,b\n", "evaluation.csv")
    code, _, err = run_cli(capsys, "validate", str(csv), "--lang", "en")
    assert code == 1 and "unsupported file type «.csv»" in err
    code, _, err = run_cli(capsys, "validate", str(tmp_path / "absent.yaml"), "--lang", "kk")
    assert code == 1 and "файл табылмады" in err


def test_large_file_refused_before_parsing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evaluation.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_evaluation(path)
    assert time.perf_counter() - started < 0.5
    assert "the file is 50.0 MB, over the 20 MB limit" in caught.value.render("en")
    assert MAX_INPUT_BYTES == 20 * 1024 * 1024
    code, _, err = run_cli(capsys, "validate", str(path), "--lang", "kk")
    assert code == 1 and "20 МБ шегінен асады" in err


def test_category_typed_loosely_passes_reader_and_rules_alike(tmp_path: Path) -> None:
    """``е4`` (Cyrillic е, no dash) and ``E–5`` (en dash) are E-4 and E-5 for the reader, the rules and
    the App. 4 group choice; before one normaliser served them all, the rules refused ``E4``."""
    from pipeline.profile import load_profile
    from pipeline.rules.evaluate import evaluate

    typed = (example_text("atyrau-2018").replace("category: E-4", "category: е4", 1)
             .replace("category: E-5", "category: E–5", 1))
    evaluation, _ = load_evaluation(write(tmp_path, typed))   # the rules pass too
    reference, _ = load_evaluation("examples/atyrau-2018/evaluation.yaml")
    profile = load_profile("atyrau-2018")
    loose, exact = evaluate(evaluation, profile), evaluate(reference, profile)
    assert [r.indicator_group for r in loose.employees] == [r.indicator_group for r in exact.employees]
    assert {e.category for e in evaluation.employees} >= {"е4", "E–5"}
