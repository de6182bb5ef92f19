"""Kazakhstan working days: weekends, public holidays, transferred days (rules.md §1.5, U25).

Public holidays come from ``holidays.KZ``. On top of it: weekend days made working days and
extra days off, from ``pipeline/data/transfers.yaml`` and from an optional user file
(``QUJAT_CALENDAR`` or ``--calendar FILE``, same format). Counting follows §1.5: a period of
N working days after (or before) an event starts on the first working day after (or before)
the event's own day, which is not counted.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import holidays
import yaml

from pipeline.errors import InputError, Issue

__all__ = ["CALENDAR_ENV", "CalendarOverrides", "WorkingCalendar", "load_overrides"]

CALENDAR_ENV = "QUJAT_CALENDAR"
_ONE_DAY = dt.timedelta(days=1)
_MAX_SPAN = 3660          # working-day counts beyond ten years are a data error, not a loop


@dataclass(frozen=True)
class CalendarOverrides:
    """Days whose status differs from ``holidays.KZ`` plus the weekend rule."""

    working_days: frozenset[dt.date] = field(default_factory=frozenset)
    days_off: frozenset[dt.date] = field(default_factory=frozenset)

    def merged(self, other: CalendarOverrides) -> CalendarOverrides:
        """``other`` applied on top of ``self``: a day keeps the status ``other`` gives it."""
        return CalendarOverrides(
            working_days=(self.working_days - other.days_off) | other.working_days,
            days_off=(self.days_off - other.working_days) | other.days_off,
        )


def _dates(raw: Any, key: str, where: str) -> frozenset[dt.date]:
    items = raw.get(key) or []
    if not isinstance(items, list):
        raise InputError(issues=[Issue(location=f"{where}: {key}", key="rules.calendar.invalid",
                                       params={"error": "a list is expected"}, value=items)])
    days: set[dt.date] = set()
    for index, item in enumerate(items):
        value = item.get("date") if isinstance(item, dict) else item
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InputError(issues=[Issue(location=f"{where}: {key}[{index}]", key="rules.calendar.invalid",
                                           params={"error": "a date YYYY-MM-DD is expected"}, value=item)])
        days.add(value)
    return frozenset(days)


def load_overrides(path: Path | str) -> CalendarOverrides:
    """Read a calendar file: ``working_days`` and ``days_off``, each a list of dates or ``{date: ...}``."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(issues=[Issue(location=str(path), key="rules.calendar.unreadable",
                                       params={"error": type(exc).__name__})]) from None
    if not isinstance(raw, dict) or set(raw) - {"working_days", "days_off"}:
        raise InputError(issues=[Issue(location=str(path), key="rules.calendar.invalid",
                                       params={"error": "only the keys working_days and days_off are allowed"})])
    return CalendarOverrides(_dates(raw, "working_days", str(path)), _dates(raw, "days_off", str(path)))


def _shipped() -> CalendarOverrides:
    text = resources.files("pipeline").joinpath("data", "transfers.yaml")
    return load_overrides(Path(str(text)))


class WorkingCalendar:
    """Working days of Kazakhstan (five-day week) with transfers and user overrides."""

    def __init__(self, overrides: CalendarOverrides | None = None) -> None:
        self.overrides = overrides if overrides is not None else _shipped()
        self._holidays = holidays.KZ()

    @classmethod
    def default(cls, user_files: Iterable[Path | str] = ()) -> WorkingCalendar:
        """Shipped transfers, then ``QUJAT_CALENDAR`` (if set), then ``user_files`` in order."""
        overrides = _shipped()
        env = os.environ.get(CALENDAR_ENV)
        for file in ([env] if env else []) + list(user_files):
            overrides = overrides.merged(load_overrides(file))
        return cls(overrides)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides.working_days:
            return True
        if day in self.overrides.days_off:
            return False
        return day.weekday() < 5 and day not in self._holidays

    def _step(self, day: dt.date, n: int, direction: int) -> dt.date:
        if n < 0:
            raise ValueError("the number of working days must not be negative")
        step = _ONE_DAY * direction
        counted = 0
        for _ in range(_MAX_SPAN + n * 2):
            if counted == n:
                return day
            day += step
            if self.is_working_day(day):
                counted += 1
        raise ValueError(f"no {n} working days found within ten years of {day}")

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The Nth working day after ``day`` (``day`` itself is not counted; n=0 gives ``day``)."""
        return self._step(day, n, 1)

    def subtract_working_days(self, day: dt.date, n: int) -> dt.date:
        """The Nth working day before ``day``: "no later than N working days before" (U4)."""
        return self._step(day, n, -1)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)
