"""Fixtures: the test evaluations of the forms tests, generated once per session."""

from __future__ import annotations

import pytest
from forms_helpers import load

from pipeline.forms.generate import generate


@pytest.fixture(scope="session", params=["udp-2018", "alatau-2024"])
def generated(request, tmp_path_factory):
    evaluation, profile, result = load(request.param)
    out = tmp_path_factory.mktemp(request.param) / "out"
    entries = generate(evaluation, profile, result, out)
    return request.param, out, entries
