"""Working-day calendar: holidays.KZ, shipped transfers, user overrides, §1.5 counting."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path

import holidays
import pytest
import yaml

from pipeline.errors import InputError
from pipeline.rules.calendar import (
    CALENDAR_ENV,
    CalendarOverrides,
    WorkingCalendar,
    load_overrides,
)

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.default()


def _shipped() -> dict:
    return yaml.safe_load(resources.files("pipeline").joinpath("data", "transfers.yaml").read_text("utf-8"))


@pytest.mark.parametrize("day", [D(2024, 5, 4), D(2025, 1, 5), D(2018, 12, 29), D(2023, 7, 1)])
def test_transferred_weekend_days_are_working_days(cal: WorkingCalendar, day: dt.date) -> None:
    assert day.weekday() >= 5
    assert cal.is_working_day(day)


@pytest.mark.parametrize("day", [D(2024, 5, 8), D(2025, 1, 3), D(2024, 10, 25), D(2024, 12, 16),
                                 D(2024, 9, 14), D(2024, 9, 15), D(2025, 3, 24)])
def test_days_off(cal: WorkingCalendar, day: dt.date) -> None:
    assert not cal.is_working_day(day)


def test_every_shipped_transfer_matches_a_substitution_in_holidays_kz() -> None:
    kz = holidays.KZ(years=range(2018, 2026))
    substituted_from = set()
    for name in kz.values():
        match = re.search(r"(\d\d)/(\d\d)/(\d{4})", name)
        if match:
            month, day, year = map(int, match.groups())
            substituted_from.add(D(year, month, day))
    shipped = {item["date"] for item in _shipped()["working_days"]}
    assert shipped, "transfers.yaml lists no working day"
    assert shipped <= substituted_from
    # and the other way round: every weekend day the package moved a day off from is shipped
    assert {d for d in substituted_from if d.weekday() >= 5} == shipped


def test_counting_across_a_transferred_working_sunday(cal: WorkingCalendar) -> None:
    # Tue 31 Dec 2024; 1-2 Jan holidays, Fri 3 Jan day off, Sat 4 Jan weekend, Sun 5 Jan working
    assert cal.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 5)
    assert cal.add_working_days(D(2024, 12, 31), 2) == D(2025, 1, 6)
    assert cal.subtract_working_days(D(2025, 1, 6), 1) == D(2025, 1, 5)
    assert cal.subtract_working_days(D(2025, 1, 6), 2) == D(2024, 12, 31)


def test_counting_across_a_transferred_working_saturday_and_may_holidays(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(D(2024, 5, 3), 1) == D(2024, 5, 4)      # Sat 4 May worked
    assert cal.add_working_days(D(2024, 5, 3), 2) == D(2024, 5, 6)
    assert cal.add_working_days(D(2024, 5, 6), 1) == D(2024, 5, 10)     # 7 May, 8 May (moved), 9 May off


def test_counting_across_a_public_holiday_and_a_weekend(cal: WorkingCalendar) -> None:
    # Republic Day Fri 25 Oct 2024, then the weekend
    assert cal.add_working_days(D(2024, 10, 24), 1) == D(2024, 10, 28)
    assert cal.add_working_days(D(2024, 10, 23), 5) == D(2024, 10, 31)
    assert cal.subtract_working_days(D(2024, 10, 28), 1) == D(2024, 10, 24)


def test_anchor_day_excluded_and_zero(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(D(2024, 9, 2), 1) == D(2024, 9, 3)
    assert cal.add_working_days(D(2024, 9, 7), 1) == D(2024, 9, 9)     # from a Saturday
    assert cal.add_working_days(D(2024, 9, 2), 0) == D(2024, 9, 2)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2024, 9, 2), -1)


def test_user_file_overrides_shipped_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "cal.yaml"
    user.write_text("working_days: [2024-09-14]\ndays_off:\n  - {date: 2024-09-16, source: test}\n"
                    "  - 2024-05-04\n", encoding="utf-8")
    monkeypatch.delenv(CALENDAR_ENV, raising=False)
    cal = WorkingCalendar.default([user])
    assert cal.is_working_day(D(2024, 9, 14))
    assert not cal.is_working_day(D(2024, 9, 16))
    assert not cal.is_working_day(D(2024, 5, 4))            # the user's day off beats the shipped transfer
    assert cal.add_working_days(D(2024, 9, 13), 2) == D(2024, 9, 17)
    monkeypatch.setenv(CALENDAR_ENV, str(user))
    assert not WorkingCalendar.default().is_working_day(D(2024, 9, 16))


@pytest.mark.parametrize("text", ["working_days: 2024-01-01\n", "working_days: [not-a-date]\n",
                                  "holidays: [2024-01-01]\n", "working_days: [2024-01-01\n"])
def test_bad_user_file_is_a_located_input_error(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_overrides(bad)
    assert str(bad) in info.value.issues[0].location
    assert info.value.issues[0].key.startswith("rules.calendar.")


def test_merge_later_file_wins() -> None:
    a = CalendarOverrides(working_days=frozenset({D(2024, 1, 6)}))
    b = CalendarOverrides(days_off=frozenset({D(2024, 1, 6)}))
    assert D(2024, 1, 6) in a.merged(b).days_off
    assert D(2024, 1, 6) not in a.merged(b).working_days
