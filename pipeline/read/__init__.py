"""Stage 1, read: load an evaluation from YAML, JSON or XLSX and validate it, every problem located.

    evaluation, source = load_evaluation("evaluation.xlsx")

All problems are collected and raised together as :class:`~pipeline.errors.ValidationFailed`;
``source.locate(path)`` turns a model path into ``file, sheet "KPI", cell E7`` or
``file: employees[2].kpis[0].planned (line 41)``.
"""

from __future__ import annotations

from pipeline.read.loader import MAX_INPUT_BYTES, load_evaluation, validate_data
from pipeline.read.source import Source, format_path

__all__ = ["MAX_INPUT_BYTES", "Source", "format_path", "load_evaluation", "validate_data"]
