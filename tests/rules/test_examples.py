"""The shipped examples evaluate cleanly through the real reader, validation and engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.profile import load_profile
from pipeline.rules.calendar import WorkingCalendar
from pipeline.rules.evaluate import evaluate
from pipeline.rules.validate import validate

read = pytest.importorskip("pipeline.read")
EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*/evaluation.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_evaluates(path: Path) -> None:
    evaluation, source = read.load_evaluation(path)
    profile = load_profile(evaluation.profile)
    calendar = WorkingCalendar.default()
    assert validate(evaluation, profile, source.locate, calendar) == []
    result = evaluate(evaluation, profile, calendar)
    assert len(result.employees) == len(evaluation.employees)
    for row in result.employees:
        assert row.findings and all(f.clause for f in row.findings)
        if row.status in ("evaluated", "without_participation"):
            assert row.grade is not None and row.final_grade_kk and row.final_grade_ru
    assert result.schedule
    if profile.commission is not None:
        assert result.commission is not None and result.commission.quorum
