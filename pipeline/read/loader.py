"""Pick the reader by file type, refuse oversized files, validate into an Evaluation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pipeline.errors import InputError, Issue, ValidationFailed
from pipeline.model import Evaluation
from pipeline.profile import Profile, available_profiles, load_profile
from pipeline.read.checks import check_evaluation, check_ids
from pipeline.read.issues import issues_from_errors
from pipeline.read.source import Source
from pipeline.read.yaml_json import read_json, read_yaml

if TYPE_CHECKING:
    from pipeline.rules.calendar import WorkingCalendar

__all__ = ["MAX_INPUT_BYTES", "load_evaluation", "validate_data"]

MAX_INPUT_BYTES = 20 * 1024 * 1024

Reader = Callable[[Path, bytes], tuple[Any, Source, list[Issue]]]


def _read_xlsx(path: Path, data: bytes) -> tuple[Any, Source, list[Issue]]:
    from pipeline.read.xlsx import (
        read_xlsx,  # openpyxl is slow to import: only for workbooks
    )

    return read_xlsx(path, data)


_READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml, ".json": read_json, ".xlsx": _read_xlsx}


def _read(path: Path) -> tuple[Any, Source, list[Issue]]:
    if not path.is_file():
        raise InputError(issues=[Issue(location=str(path), key="input.not_found")])
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(issues=[Issue(location=path.name, key="input.unsupported_format",
                                       params={"suffix": path.suffix or path.name})])
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise InputError(issues=[Issue(location=path.name, key="input.too_large",
                                       params={"size_mb": f"{size / 2**20:.1f}",
                                               "limit_mb": MAX_INPUT_BYTES // 2**20})])
    if size == 0:
        raise InputError(issues=[Issue(location=path.name, key="input.empty")])
    return reader(path, path.read_bytes())


def _profile(data: dict[str, Any], source: Source, issues: list[Issue]) -> Profile | None:
    profile_id = data.get("profile")
    if not isinstance(profile_id, str) or not profile_id:
        return None
    known = available_profiles()
    if profile_id not in known:
        issues.append(Issue(location=source.locate(("profile",)), key="profile.unknown",
                            params={"profile": profile_id, "known": ", ".join(known)}))
        return None
    return load_profile(profile_id)


def validate_data(data: Any, source: Source, issues: list[Issue] | None = None,
                  calendar: WorkingCalendar | None = None) -> tuple[Evaluation, Source]:
    """Validate plain data read from ``source``; raise :class:`ValidationFailed` with all issues.

    The methodology's rules run last, on the working-day ``calendar`` (the default one if None).
    """
    from pipeline.rules.validate import (
        validate,  # the rules locate through pipeline.read.source
    )

    found = list(issues or [])
    if not isinstance(data, dict):
        found.append(Issue(location=source.name, key="input.not_a_mapping",
                           value=None if isinstance(data, list) else data))
        raise ValidationFailed(issues=found)
    profile = _profile(data, source, found)
    if profile is None and source.kind == "xlsx" and any(i.key == "profile.unknown" for i in found):
        raise ValidationFailed(issues=found)
    found += check_ids(data, source.locate)
    try:
        evaluation: Evaluation | None = Evaluation.model_validate(data)
    except ValidationError as exc:
        found += issues_from_errors(exc.errors(), data, source.locate)
        evaluation = None
    if evaluation is not None and profile is not None:
        checked = check_evaluation(evaluation, profile, source.locate)
        found += checked
        if not found:
            found += validate(evaluation, profile, source.locate, calendar)
    if found or evaluation is None:
        raise ValidationFailed(issues=found)
    return evaluation, source


def load_evaluation(path: str | Path, calendar: WorkingCalendar | None = None) -> tuple[Evaluation, Source]:
    """Read and validate an evaluation file (``.yaml``, ``.yml``, ``.json``, ``.xlsx``).

    Raises :class:`InputError` when the file cannot be read at all (missing, too large,
    empty, not parseable, a protected workbook) and :class:`ValidationFailed` with every
    located problem otherwise.
    """
    data, source, issues = _read(Path(path))
    return validate_data(data, source, issues, calendar)

