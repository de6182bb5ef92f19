"""Turn pydantic validation errors into located, translatable :class:`Issue` objects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic_core import ErrorDetails

from pipeline.errors import Issue
from pipeline.i18n import display_value
from pipeline.read.source import ModelPath

__all__ = ["issues_from_errors"]

_KEYS = {
    "missing": "input.missing",
    "extra_forbidden": "input.unknown_field",
    "date_parsing": "input.bad_date",
    "date_type": "input.bad_date",
    "date_from_datetime_parsing": "input.bad_date",
    "date_from_datetime_inexact": "input.bad_date",
    "date_future": "input.bad_date",
    "float_parsing": "input.not_a_number",
    "float_type": "input.not_a_number",
    "finite_number": "input.not_a_number",
    "int_parsing": "input.not_an_integer",
    "int_type": "input.not_an_integer",
    "int_from_float": "input.not_an_integer",
    "bool_parsing": "input.not_yes_no",
    "bool_type": "input.not_yes_no",
    "string_type": "input.not_text",
    "literal_error": "input.not_allowed",
    "string_pattern_mismatch": "input.bad_iin",
    "string_too_short": "input.empty_text",
    "greater_than_equal": "input.too_small",
    "greater_than": "input.too_small",
    "less_than_equal": "input.too_big",
    "less_than": "input.too_big",
    "too_short": "input.too_few",
    "model_type": "input.wrong_shape",
    "model_attributes_type": "input.wrong_shape",
    "dict_type": "input.wrong_shape",
    "list_type": "input.wrong_shape",
}


def _data_path(data: Any, loc: tuple[str | int, ...], missing: bool) -> ModelPath:
    """Follow ``loc`` through the data, dropping pydantic's union tags (``float``, ``str`` ...)."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        present = (isinstance(current, dict) and part in current
                   or isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current))
        if present:
            current = current[part]
        elif not (missing and index == len(loc) - 1):
            continue   # a union tag, not a key of the data
        path.append(part)
    return tuple(path)


def _params(err: ErrorDetails, path: ModelPath) -> dict[str, Any]:
    ctx = err.get("ctx") or {}
    value = err.get("input")
    params: dict[str, Any] = {
        "value": "—" if isinstance(value, (dict, list)) or err["type"] == "missing" else display_value(value),
        "detail": err["msg"],
    }
    if err["type"] == "extra_forbidden":
        params["field"] = path[-1] if path else ""
    if err["type"] == "literal_error":
        expected = str(ctx.get("expected", ""))
        params["expected"] = ", ".join(re.findall(r"'([^']*)'", expected)) or expected
    for bound in ("ge", "gt", "le", "lt", "min_length"):
        if bound in ctx:
            params["limit"] = ctx[bound]
    if err["type"] == "list_type":
        params["expected"] = "a list"
    elif err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        params["expected"] = "a mapping of fields"
    return params


def issues_from_errors(errors: list[ErrorDetails], data: Any,
                       locate: Callable[[ModelPath], str]) -> list[Issue]:
    """One issue per faulty value (a union's several errors for one value count once)."""
    issues: list[Issue] = []
    seen: set[ModelPath] = set()
    for err in errors:
        path = _data_path(data, tuple(err["loc"]), err["type"] == "missing")
        if path in seen:
            continue
        seen.add(path)
        value = err.get("input")
        issues.append(Issue(location=locate(path), key=_KEYS.get(err["type"], "input.invalid"),
                            params=_params(err, path),
                            value=None if isinstance(value, (dict, list)) else value))
    return issues
