"""Form wording from ``pipeline/terms.yaml``: labels per form, language and profile."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["audience", "group_label", "labels", "terms"]


@cache
def terms() -> dict[str, Any]:
    """The parsed ``terms.yaml`` (common, forms, profiles)."""
    text = resources.files("pipeline").joinpath("terms.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def labels(form: str, profile_id: str, lang: str) -> dict[str, str]:
    """Every label of ``form`` in ``lang``: common ones, the form's, then the profile's overrides."""
    data = terms()
    merged = {key: entry[lang] for key, entry in data["common"].items()}
    merged.update({key: entry[lang] for key, entry in data["forms"].get(form, {}).get("labels", {}).items()})
    overrides = data.get("profiles", {}).get(profile_id, {}).get(form, {})
    merged.update({key: entry[lang] for key, entry in overrides.items()})
    return merged


def audience(form: str) -> str | None:
    """``head`` or ``staff`` when a form is only for heads of unit or only for other staff."""
    return terms()["forms"].get(form, {}).get("audience")


def group_label(profile_id: str, group_id: str, lang: str) -> str | None:
    """The App. 4 category cell of ``group_id`` in ``lang`` (``indicator_groups``), or None."""
    entry = terms().get("indicator_groups", {}).get(profile_id, {}).get(group_id)
    return entry[lang] if entry else None
