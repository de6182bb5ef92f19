"""qujat: civil-servant performance evaluation paperwork for Kazakhstan.

Stages: read -> validate/evaluate -> render -> stamp -> sign -> package -> deliver::

    from pipeline import load_evaluation, load_profile, evaluate, run

    evaluation, source = load_evaluation("examples/udp-2018/evaluation.yaml")
    result = evaluate(evaluation, load_profile(evaluation.profile))

The names below are imported on first use, so ``import pipeline.x`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Evaluation": "pipeline.model",
    "EvaluationResult": "pipeline.rules.result",
    "Profile": "pipeline.profile",
    "QujatError": "pipeline.errors",
    "RunOptions": "pipeline.run",
    "UserError": "pipeline.errors",
    "available_profiles": "pipeline.profile",
    "evaluate": "pipeline.rules.evaluate",
    "generate": "pipeline.forms.generate",
    "load_evaluation": "pipeline.read",
    "load_profile": "pipeline.profile",
    "run": "pipeline.run",
    "validate": "pipeline.rules.validate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
