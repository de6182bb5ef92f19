"""Template lint: load every DOCX template, report every problem, check KK/RU parity."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import Issue, TemplateError
from pipeline.render.compile import CompiledTemplate

__all__ = ["LintReport", "bundled_template_dirs", "check_parity", "lint_directory", "lint_templates"]

_PARITY_DIRS = ("templates_kk", "templates_ru")


@dataclass
class LintReport:
    """Templates checked and the problems found, each with file and location."""

    checked: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def bundled_template_dirs() -> tuple[Path, Path]:
    """``templates_kk/`` and ``templates_ru/`` shipped with qujat."""
    root = Path(__file__).resolve().parents[2]
    return root / _PARITY_DIRS[0], root / _PARITY_DIRS[1]


def lint_directory(directory: Path, report: LintReport) -> dict[str, CompiledTemplate]:
    """Load every ``*.docx`` of ``directory``; add problems to ``report``; the good ones by name."""
    loaded: dict[str, CompiledTemplate] = {}
    for path in sorted(directory.glob("*.docx")):
        if path.name.startswith("~$"):
            continue
        report.checked += 1
        try:
            loaded[path.name] = CompiledTemplate.from_bytes(path.read_bytes(), path)
        except TemplateError as exc:
            report.issues.extend(dataclasses.replace(issue, location=f"{directory.name}/{issue.location}")
                                 for issue in exc.issues)
    return loaded


def check_parity(kk: tuple[Path, dict[str, CompiledTemplate]],
                 ru: tuple[Path, dict[str, CompiledTemplate]]) -> list[Issue]:
    """Same file names in both directories, and the same set of tags in each pair."""
    (kk_dir, kk_templates), (ru_dir, ru_templates) = kk, ru
    issues: list[Issue] = []
    kk_names = {path.name for path in kk_dir.glob("*.docx") if not path.name.startswith("~$")}
    ru_names = {path.name for path in ru_dir.glob("*.docx") if not path.name.startswith("~$")}
    for name, present, absent in [*((n, kk_dir, ru_dir) for n in sorted(kk_names - ru_names)),
                                  *((n, ru_dir, kk_dir) for n in sorted(ru_names - kk_names))]:
        issues.append(Issue(location=f"{present.name}/{name}", key="render.parity.missing",
                            params={"file": name, "present": present.name, "absent": absent.name}))
    for name in sorted(kk_names & ru_names):
        if name not in kk_templates or name not in ru_templates:
            continue
        kk_tags = {tag.canonical for tag in kk_templates[name].tags}
        ru_tags = {tag.canonical for tag in ru_templates[name].tags}
        if kk_tags != ru_tags:
            issues.append(Issue(location=name, key="render.parity.tags", params={
                "kk": f"{kk_dir.name}/{name}", "ru": f"{ru_dir.name}/{name}",
                "only_kk": ", ".join(sorted(kk_tags - ru_tags)) or "-",
                "only_ru": ", ".join(sorted(ru_tags - kk_tags)) or "-"}))
    return issues


def lint_templates(directories: Sequence[Path] = ()) -> LintReport:
    """Lint ``directories`` (default: both bundled ones) and check KK/RU parity where possible.

    Parity is checked between a ``templates_kk``/``templates_ru`` pair, whether given
    directly or as the two sub-directories of one given directory.
    """
    report = LintReport()
    targets = list(directories) or list(bundled_template_dirs())
    expanded: list[Path] = []
    for directory in targets:
        pair = [directory / name for name in _PARITY_DIRS]
        expanded.extend(pair if all(path.is_dir() for path in pair) else [directory])
    loaded = {directory: lint_directory(directory, report) for directory in expanded}
    by_name = {directory.name: directory for directory in expanded}
    if all(name in by_name for name in _PARITY_DIRS):
        kk_dir, ru_dir = (by_name[name] for name in _PARITY_DIRS)
        report.issues.extend(check_parity((kk_dir, loaded[kk_dir]), (ru_dir, loaded[ru_dir])))
    return report
