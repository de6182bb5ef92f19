"""``qujat evaluate`` through a real Typer app and the real reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from pipeline.commands.evaluate import register
from pipeline.errors import ValidationFailed
from tests.rules.builders import commission, employee, evaluation, kpis, profile

pytest.importorskip("pipeline.read")


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:          # a second command keeps "evaluate" a named subcommand
        """Placeholder."""

    return app


def _write(tmp_path: Path, ev) -> Path:
    path = tmp_path / "evaluation.yaml"
    path.write_text(yaml.safe_dump(ev.model_dump(mode="json", exclude_none=True), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


def _udp(**extra):
    keys = [c.key for c in profile("udp-2018").competencies.competencies]
    data = employee(kpis=kpis(4), competencies=[{"competency": k, "observed": [1]} for k in keys],
                    decision={"votes": [{"member": f"c{i}", "choice": "approve"} for i in range(1, 6)]})
    data.update(extra)
    return data


def test_json_output(tmp_path: Path) -> None:
    path = _write(tmp_path, evaluation("udp-2018", [_udp()], commission_data=commission()))
    result = CliRunner().invoke(_app(), ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    row = data["employees"][0]
    assert (row["status"], row["grade"], row["grade_kk"], row["grade_ru"]) == ("evaluated", "effective", "тиімді",
                                                                                 "эффективно")
    assert data["commission"]["quorum"] is True and data["commission"]["quorum_needed"] == 4
    assert {"id", "due", "clause"} <= set(data["schedule"][0])


@pytest.mark.parametrize(("lang", "words"), [("kk", ["Қызметші", "бағаланды", "тиімді", "Мерзімдер кестесі"]),
                                             ("ru", ["Служащий", "оценён", "эффективно", "График сроков"])])
def test_table_output(tmp_path: Path, lang: str, words: list[str]) -> None:
    path = _write(tmp_path, evaluation("udp-2018", [_udp()], commission_data=commission()))
    result = CliRunner().invoke(_app(), ["evaluate", str(path), "--lang", lang], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output


def test_rule_violations_raise_validation_failed(tmp_path: Path) -> None:
    path = _write(tmp_path, evaluation("udp-2018", [_udp(kpis=kpis(4, total=4))], commission_data=commission()))
    result = CliRunner().invoke(_app(), ["evaluate", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationFailed)
    assert any(i.key == "rules.kpi.count" and "evaluation.yaml" in i.location for i in result.exception.issues)


def test_user_calendar_option(tmp_path: Path) -> None:
    cal = tmp_path / "cal.yaml"
    cal.write_text("days_off: [2024-12-24]\n", encoding="utf-8")
    path = _write(tmp_path, evaluation("udp-2018", [_udp()], commission_data=commission(completed="2024-12-23")))
    result = CliRunner().invoke(_app(), ["evaluate", str(path), "--json", "--calendar", str(cal)])
    assert result.exit_code == 0, result.output
    due = {d["id"]: d["due"] for d in json.loads(result.output)["schedule"]}
    assert due["acquaintance"] == "2024-12-26"
