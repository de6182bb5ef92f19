"""Where each value of an input file came from: a YAML/JSON line or a workbook cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["Locate", "ModelPath", "Source", "format_path"]

ModelPath = tuple[str | int, ...]
Locate = Callable[[ModelPath], str]
"""Turns a model path into a human-readable location (``Source.locate``, or ``format_path``)."""


def format_path(path: ModelPath) -> str:
    """``("employees", 2, "kpis", 0, "planned")`` -> ``employees[2].kpis[0].planned``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


@dataclass
class Source:
    """The origin of an :class:`~pipeline.model.Evaluation`: file, format and value positions.

    ``lines`` maps a model path to its 1-based line (YAML, JSON); ``cells`` maps it to
    ``(sheet, "E7")`` for a cell or ``(sheet, "7")`` for a whole row (XLSX).
    """

    path: Path
    kind: Literal["yaml", "json", "xlsx"]
    lines: dict[ModelPath, int] = field(default_factory=dict)
    cells: dict[ModelPath, tuple[str, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def _nearest(self, table: dict[ModelPath, object], path: ModelPath) -> ModelPath | None:
        for end in range(len(path), -1, -1):
            if path[:end] in table:
                return path[:end]
        return None

    def locate(self, path: ModelPath) -> str:
        """Human-readable location of the value at ``path`` (or of its nearest known parent)."""
        path = tuple(path)
        dotted = format_path(path)
        if self.kind == "xlsx":
            known = self._nearest(self.cells, path)
            if known is None:
                return f"{self.name}: {dotted}" if dotted else self.name
            sheet, ref = self.cells[known]
            if ref.isdigit():
                where = f'{self.name}, sheet "{sheet}", row {ref}'
            else:
                where = f'{self.name}, sheet "{sheet}", cell {ref}'
            return where if known == path or not dotted else f"{where} ({dotted})"
        known = self._nearest(self.lines, path)
        line = f" (line {self.lines[known]})" if known is not None else ""
        return f"{self.name}: {dotted}{line}" if dotted else f"{self.name}{line}"
