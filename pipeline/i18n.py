"""User-facing messages in Kazakh, Russian and English.

Messages live in ``pipeline/messages.yaml`` as ``key: {en: ..., kk: ..., ru: ...}`` with
``str.format`` placeholders. English is the fallback for a missing translation.
"""

from __future__ import annotations

import locale
import os
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from pipeline.errors import Issue

__all__ = ["LANGUAGES", "chosen_language", "default_language", "display_value", "format_issue", "message"]

LANGUAGES = ("kk", "ru", "en")


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("pipeline").joinpath("messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def default_language() -> str:
    """The user's language from QUJAT_LANG or the locale; English when unknown."""
    for candidate in (os.environ.get("QUJAT_LANG"), os.environ.get("LC_ALL"),
                      os.environ.get("LC_MESSAGES"), os.environ.get("LANG"),
                      locale.getlocale()[0]):
        if candidate:
            code = candidate.split("_")[0].split(".")[0].lower()
            if code in LANGUAGES:
                return code
    return "en"


def chosen_language(lang: str | None) -> str:
    """A ``--lang`` value checked, or the user's language when none was given."""
    if lang is None or lang == "":
        return default_language()
    if lang not in LANGUAGES:
        from pipeline.errors import UsageError

        raise UsageError(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return lang


def message(key: str, lang: str = "en", **params: Any) -> str:
    """The message ``key`` in ``lang`` (English fallback), filled with ``params``."""
    entry = _catalogue().get(key)
    if entry is None:
        return key + (f" {params}" if params else "")
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return entry["en"].format_map(_Lenient(params))


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_issue(issue: Issue, lang: str = "en") -> str:
    """One line: where, what value, which rule (and clause) was broken."""
    params = dict(issue.params)
    params.setdefault("value", issue.value)
    text = message(issue.key, lang, **params)
    parts = [f"{issue.location}: {text}"]
    if issue.value is not None and "{value}" not in _catalogue().get(issue.key, {}).get(lang, "{value}"):
        parts.append(message("label.value", lang, value=display_value(issue.value)))
    if issue.clause:
        parts.append(message("label.clause", lang, clause=issue.clause))
    return " ".join(parts)


def display_value(value: Any, limit: int = 60) -> str:
    """A user value as a message quotes it: ``«text»`` or ``repr``, cut to ``limit`` characters."""
    text = f"«{value}»" if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
