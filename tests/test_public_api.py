"""The public surface of ``pipeline`` is small and pinned."""

from __future__ import annotations

from pathlib import Path

import pipeline

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "udp-2018" / "evaluation.yaml"


def test_exported_names_are_pinned() -> None:
    assert pipeline.__all__ == [
        "Evaluation", "EvaluationResult", "Profile", "QujatError", "RunOptions", "UserError",
        "available_profiles", "evaluate", "generate", "load_evaluation", "load_profile", "run", "validate",
    ]


def test_every_exported_name_resolves() -> None:
    for name in pipeline.__all__:
        assert getattr(pipeline, name) is not None, name


def test_public_api_evaluates_an_example() -> None:
    evaluation, _ = pipeline.load_evaluation(EXAMPLE)
    result = pipeline.evaluate(evaluation, pipeline.load_profile(evaluation.profile))
    assert {r.grade for r in result.employees} >= {"excellent", "effective", "satisfactory", "unsatisfactory"}
