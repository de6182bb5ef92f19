import datetime as dt

import pytest

from pipeline.forms.dates import date_words, number, period_words


def test_kazakh_and_russian_date_words():
    day = dt.date(2025, 12, 20)
    assert date_words(day, "kk") == "2025 жылғы 20 желтоқсан"
    assert date_words(day, "ru") == "20 декабря 2025 года"
    assert date_words(dt.date(2018, 4, 13), "kk") == "2018 жылғы 13 сәуір"
    assert date_words(dt.date(2024, 1, 1), "ru") == "1 января 2024 года"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        date_words(dt.date(2024, 1, 1), "en")


def test_periods_and_numbers():
    assert period_words(2024, None, "kk") == "2024"
    assert period_words(2025, 3, "kk") == "2025, 3-тоқсан"
    assert period_words(2025, 3, "ru") == "2025, 3 квартал"
    assert number(3.75) == "3,75"
    assert number(4.0) == "4"
    assert number(4.333333) == "4,33"
    assert number(None) == ""
