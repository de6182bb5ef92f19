"""Dates and numbers in words as official Kazakh and Russian documents print them.

Kazakh: ``2025 жылғы 20 желтоқсан`` (year, «жылғы», day, month in the nominative, as in a
stamp line); Russian: ``20 декабря 2025 года`` (month in the genitive). See
``shared/domain/glossary_kk_ru.md`` §Q.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "MONTHS_KK",
    "MONTHS_RU_GENITIVE",
    "MONTHS_RU_NOMINATIVE",
    "date_words",
    "due_words",
    "number",
    "period_words",
]

MONTHS_KK = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
             "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан")
MONTHS_RU_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня",
                      "июля", "августа", "сентября", "октября", "ноября", "декабря")
MONTHS_RU_NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь",
                        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь")


def date_words(day: dt.date, lang: str) -> str:
    """``2025 жылғы 20 желтоқсан`` (kk) or ``20 декабря 2025 года`` (ru)."""
    if lang == "kk":
        return f"{day.year} жылғы {day.day} {MONTHS_KK[day.month - 1]}"
    if lang == "ru":
        return f"{day.day} {MONTHS_RU_GENITIVE[day.month - 1]} {day.year} года"
    raise ValueError(f"unsupported language {lang!r}")


def due_words(text: str, lang: str) -> str:
    """A KPI deadline as written: an ISO date (``2024-12-20``) in words, anything else as is."""
    try:
        day = dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    return date_words(day, lang) if day else text


def period_words(year: int, quarter: int | None, lang: str) -> str:
    """The evaluated period: ``2024`` or ``2024, 3-тоқсан`` / ``2024, 3 квартал``."""
    if quarter is None:
        return str(year)
    return f"{year}, {quarter}-тоқсан" if lang == "kk" else f"{year}, {quarter} квартал"


def number(value: float | str | None, places: int = 2) -> str:
    """A number with the decimal comma of both languages: ``3,75``; integers stay bare."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
